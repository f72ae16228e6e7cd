package org.pshmem.mpj;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import org.pshmem.spi.TransportSession;

/**
 * Whether this JVM, one MPJ rank, has a session open: one at a time. Kept apart from {@link MpjSession} so that
 * asking loads no MPJ class (a plain JVM may have pshmem's MPJ transport on its class path without MPJ's jar).
 */
final class OpenSession
{
    private static final int NONE = -1;
    private static final int OPENING = Integer.MIN_VALUE;
    private static final AtomicInteger RANK = new AtomicInteger(NONE);

    private OpenSession()
    {
    }

    /** @return this JVM's world rank when it has a session open (or one is being opened), else empty. */
    static OptionalInt rank()
    {
        final int rank = RANK.get();
        return rank == NONE ? OptionalInt.empty() : OptionalInt.of(rank == OPENING ? NONE : rank);
    }

    /**
     * Claims the JVM's one session, before MPJ is started.
     *
     * @throws IllegalStateException when a session is open or being opened.
     */
    static void claim()
    {
        if (!RANK.compareAndSet(NONE, OPENING))
        {
            throw TransportSession.alreadyOpen(rank().orElse(NONE));
        }
    }

    /** The claimed session is open as {@code worldRank}. */
    static void opened(final int worldRank)
    {
        RANK.set(worldRank);
    }

    /** The session closed, or failed to open: another may be opened. */
    static void release()
    {
        RANK.set(NONE);
    }
}
