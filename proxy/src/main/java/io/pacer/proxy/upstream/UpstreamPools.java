package io.pacer.proxy.upstream;

import io.netty.channel.EventLoop;
import io.netty.resolver.AddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.pacer.core.Task;
import io.pacer.proxy.http.ProxySettings;
import io.pacer.proxy.http.TrafficStats;
import io.pacer.proxy.Transport;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** One {@link UpstreamPool} per event loop of the worker group. */
public final class UpstreamPools {

    private final Map<EventExecutor, UpstreamPool> pools = new ConcurrentHashMap<>();
    private final Transport transport;
    private final AddressResolverGroup<InetSocketAddress> resolver;
    private final ProxySettings settings;
    private final TrafficStats stats;
    private volatile Set<Task> live = Set.of();

    public UpstreamPools(Transport transport, AddressResolverGroup<InetSocketAddress> resolver,
                  ProxySettings settings, TrafficStats stats) {
        this.stats = stats;
        this.transport = transport;
        this.resolver = resolver;
        this.settings = settings;
    }

    /** The pool of {@code loop}; call on that loop. */
    public UpstreamPool forLoop(EventLoop loop) {
        UpstreamPool pool = pools.get(loop);
        if (pool == null) {
            pool = pools.computeIfAbsent(loop, l -> new UpstreamPool(loop, transport, resolver, settings, stats));
            pool.retainOnly(live);
        }
        return pool;
    }

    /** Publishes the tasks of a new table to every loop's pool, on that loop. */
    public void retainOnly(Set<Task> tasks) {
        live = tasks;
        for (UpstreamPool pool : pools.values()) {
            pool.loop().execute(() -> pool.retainOnly(tasks));
        }
    }

    public void closeAll() {
        for (UpstreamPool pool : pools.values()) {
            if (!pool.loop().isShuttingDown()) {
                pool.loop().execute(pool::closeAll);
            }
        }
    }
}
