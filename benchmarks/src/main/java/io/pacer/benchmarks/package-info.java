package io.pacer.benchmarks;
