package org.pshmem.spi;

import java.lang.ref.PhantomReference;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/**
 * The direct buffers handed out over one native address range, for a transport that gives the memory back at
 * {@link #close(boolean, Runnable)} while a buffer kept by a user may still be read: the range itself is
 * released (unmapped) at once when no buffer escaped, else only once every buffer over it is unreachable.
 * Unreachable buffers are noticed by {@link #reap()}, which the owner calls when it makes or closes a range;
 * there is no thread. One lock, shared by every range, guards the counts and runs the releases.
 */
public final class EscapedBuffers
{
    private static final ReferenceQueue<ByteBuffer> UNREACHABLE = new ReferenceQueue<>();
    /** Guards every range's counts; the set keeps the references reachable until polled. */
    private static final Set<BufferReference> TRACKED = new HashSet<>();

    private final Runnable release;
    private int liveBuffers;
    private boolean closed;
    private boolean released;

    private static final class BufferReference extends PhantomReference<ByteBuffer>
    {
        final EscapedBuffers range;

        BufferReference(final ByteBuffer buffer, final EscapedBuffers range)
        {
            super(buffer, UNREACHABLE);
            this.range = range;
        }
    }

    /**
     * Makes the count of one range.
     *
     * @param release what gives the address range back; run once, under the shared lock.
     */
    public EscapedBuffers(final Runnable release)
    {
        this.release = release;
    }

    /**
     * Counts a buffer over the range until it is unreachable; every buffer derived from it keeps it reachable.
     *
     * @param buffer a buffer over the range.
     * @return {@code buffer}.
     */
    public ByteBuffer track(final ByteBuffer buffer)
    {
        synchronized (TRACKED)
        {
            TRACKED.add(new BufferReference(buffer, this));
            liveBuffers++;
        }
        return buffer;
    }

    /**
     * Closes the range once: releases it at once when no buffer escaped or none is counted any more; otherwise
     * runs {@code whileReachable} (which frees the memory under the buffers, which may still be read) and leaves
     * the release to {@link #reap()}. Both run under the shared lock. Idempotent; reaps afterwards.
     *
     * @param buffersEscaped false when the caller guarantees that no buffer over the range is used again.
     * @param whileReachable what gives the memory back while the range stays.
     */
    public void close(final boolean buffersEscaped, final Runnable whileReachable)
    {
        synchronized (TRACKED)
        {
            if (!closed)
            {
                closed = true;
                if (!buffersEscaped || liveBuffers == 0)
                {
                    releaseOnce();
                }
                else
                {
                    whileReachable.run();
                }
            }
        }
        reap();
    }

    /**
     * Releases closed ranges whose buffers are all unreachable now.
     */
    public static void reap()
    {
        Reference<? extends ByteBuffer> reference;
        while (null != (reference = UNREACHABLE.poll()))
        {
            synchronized (TRACKED)
            {
                TRACKED.remove(reference);
                final EscapedBuffers range = ((BufferReference)reference).range;
                if (--range.liveBuffers == 0 && range.closed)
                {
                    range.releaseOnce();
                }
            }
        }
    }

    private void releaseOnce()
    {
        if (!released)
        {
            released = true;
            release.run();
        }
    }
}
