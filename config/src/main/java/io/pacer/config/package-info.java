package io.pacer.config;
