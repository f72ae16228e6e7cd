package org.pshmem.local;

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

    @Override
    public TransportSession open(final String[] args)
    {
        final LocalJobState.Rank rank = LocalJobState.current();
        if (null == rank)
        {
            return new LocalSession(new LocalJobState(1, 1), 0, args);
        }
        return new LocalSession(rank.job, rank.rank, args);
    }
}
