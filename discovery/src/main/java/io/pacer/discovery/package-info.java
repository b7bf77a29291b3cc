package io.pacer.discovery;
