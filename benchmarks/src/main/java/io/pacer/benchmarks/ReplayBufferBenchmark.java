package io.pacer.benchmarks;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * The request body's replay buffer, as {@code ProxyExchange} keeps it: every part the decoder hands
 * over ({@code onRequestContent}) is added to a list, the upstream gets a
 * {@code retainedDuplicate()} of it ({@code writeBody}), and the list is released when the exchange
 * ends ({@code releaseBody}). A retry writes fresh duplicates of the whole list again.
 *
 * <p>Parts are retained slices of one pooled buffer, as the HTTP decoder makes them. "Writing" a
 * duplicate is reading its bytes and releasing it, which is what the encoder and the socket do to
 * it. {@link #stream} is the path without a replay buffer (a body over
 * {@code replay_buffer_size}): the part itself is written. {@link #bodiless} is a {@code GET}:
 * only the shared empty end marker goes through the list.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar ReplayBuffer -prof gc</pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ReplayBufferBenchmark {

    /** A body of {@code parts} parts of {@code partSize} bytes, the last one a LastHttpContent. */
    @State(Scope.Thread)
    public static class Body {
        /** 1: a 4 KB JSON POST in one read. 16: a 64 KB upload, the replay buffer's default size. */
        @Param({"1", "16"})
        int parts;

        final int partSize = 4096;
        ByteBuf cumulation;

        @Setup(Level.Trial)
        public void allocate() {
            cumulation = PooledByteBufAllocator.DEFAULT.directBuffer(parts * partSize);
            cumulation.writerIndex(parts * partSize);
        }

        /** Part {@code i}, as the decoder emits it: a retained slice of what it read. */
        HttpContent part(int i) {
            ByteBuf slice = cumulation.retainedSlice(i * partSize, partSize);
            return i == parts - 1 ? new DefaultLastHttpContent(slice) : new DefaultHttpContent(slice);
        }

        @TearDown(Level.Trial)
        public void release() {
            cumulation.release();
        }
    }

    private static void write(HttpContent sent, Blackhole bh) {
        bh.consume(sent.content().getByte(0));
        sent.release();
    }

    /** No replay buffer: each part goes upstream as it is. */
    @Benchmark
    public void stream(Body b, Blackhole bh) {
        for (int i = 0; i < b.parts; i++) {
            write(b.part(i), bh);
        }
    }

    /** Kept for a retry that does not happen: the common case for a replayable body. */
    @Benchmark
    public void replayable(Body b, Blackhole bh) {
        ArrayList<HttpContent> body = new ArrayList<>(4);
        int written = 0;
        for (int i = 0; i < b.parts; i++) {
            body.add(b.part(i));
            for (; written < body.size(); written++) {
                write(body.get(written).retainedDuplicate(), bh);
            }
        }
        releaseBody(body);
    }

    /** The first task failed after the body went out: the whole body is written again. */
    @Benchmark
    public void replayedOnce(Body b, Blackhole bh) {
        ArrayList<HttpContent> body = new ArrayList<>(4);
        int written = 0;
        for (int i = 0; i < b.parts; i++) {
            body.add(b.part(i));
            for (; written < body.size(); written++) {
                write(body.get(written).retainedDuplicate(), bh);
            }
        }
        for (HttpContent part : body) {
            write(part.retainedDuplicate(), bh);
        }
        releaseBody(body);
    }

    /** A GET: the empty end marker is the whole body. */
    @Benchmark
    public void bodiless(Blackhole bh) {
        ArrayList<HttpContent> body = new ArrayList<>(4);
        body.add(LastHttpContent.EMPTY_LAST_CONTENT);
        for (HttpContent part : body) {
            HttpContent sent = part.retainedDuplicate();
            bh.consume(sent);
            sent.release();
        }
        releaseBody(body);
    }

    private static void releaseBody(ArrayList<HttpContent> body) {
        for (HttpContent part : body) {
            part.release();
        }
        body.clear();
    }
}
