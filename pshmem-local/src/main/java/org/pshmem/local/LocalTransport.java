package org.pshmem.local;

import org.pshmem.spi.RankSession;
import org.pshmem.spi.Transport;
import org.pshmem.spi.TransportSession;

/**
 * The in-process transport, named {@code local}: a single rank in a plain JVM (the embedded default,
 * needing no launcher and no JVM options), or each rank of a {@link LocalJob} as a thread of one JVM.
 */
public final class LocalTransport implements Transport
{
    /** Name by which this transport is chosen. */
    public static final String NAME = "local";

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public LocalTransport()
    {
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public int priority()
    {
        return 0;
    }

    @Override
    public boolean launchedThisRank(final String[] args)
    {
        return null != LocalJobState.current();
    }

    @Override
    public boolean runsWithoutLauncher()
    {
        return true;
    }

    /** The session of a plain JVM (no in-process job): one rank, one session at a time. */
    private static final java.util.concurrent.atomic.AtomicBoolean PLAIN_JVM_OPEN =
        new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public java.util.OptionalInt rankWithOpenSession()
    {
        final LocalJobState.Rank rank = LocalJobState.current();
        final boolean open = null == rank ? PLAIN_JVM_OPEN.get() : rank.sessionOpen.get();
        return open ? java.util.OptionalInt.of(null == rank ? 0 : rank.rank) : java.util.OptionalInt.empty();
    }

    @Override
    public TransportSession open(final String[] args)
    {
        final LocalJobState.Rank rank = LocalJobState.current();
        final java.util.concurrent.atomic.AtomicBoolean open = null == rank ? PLAIN_JVM_OPEN : rank.sessionOpen;
        if (!open.compareAndSet(false, true))
        {
            throw TransportSession.alreadyOpen(null == rank ? 0 : rank.rank);
        }
        return null == rank ? session(new LocalJobState(1, 1), 0, args, open) :
            session(rank.job, rank.rank, args, open);
    }

    /** One rank's session of {@code job}; closing it finalises nothing (the job's threads end with their ranks),
     *  so the rank may open a session again. */
    private static RankSession session(final LocalJobState job, final int rank, final String[] args,
        final java.util.concurrent.atomic.AtomicBoolean open)
    {
        return new RankSession(
            new LocalEndpoint(job.world(), rank),
            new LocalEndpoint(new LocalGroup(job, new int[] {rank}, false), 0),
            args,
            new LocalNodeMemory(job),
            () -> open.set(false));
    }
}
