package io.pacer.proxy;
