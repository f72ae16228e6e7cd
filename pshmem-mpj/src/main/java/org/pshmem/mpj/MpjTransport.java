package org.pshmem.mpj;

import java.util.Set;

import org.pshmem.spi.Transport;
import org.pshmem.spi.TransportSession;

/**
 * The MPJ Express transport, named {@code mpj}: one JVM per rank over TCP ({@code niodev}) or ranks as
 * threads of one JVM (multicore), started by MPJ's {@code mpjrun.sh}/{@code MPJRun} or by {@link MpjLauncher}.
 * It needs its launcher; a plain JVM uses the in-process transport instead.
 */
public final class MpjTransport implements Transport
{
    /** Name by which this transport is chosen. */
    public static final String NAME = "mpj";
    private static final Set<String> DEVICES = Set.of("niodev", "smpdev", "multicore", "mxdev", "hybdev", "native");

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public MpjTransport()
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
        return 10;
    }

    @Override
    public boolean launchedThisRank(final String[] args)
    {
        // MPJRun starts a rank with: <rank> <configuration> <device> <application arguments...>
        return null != args && args.length >= 3 && DEVICES.contains(args[2]) && args[0].matches("\\d+");
    }

    @Override
    public boolean runsWithoutLauncher()
    {
        return false;
    }

    @Override
    public java.util.OptionalInt rankWithOpenSession()
    {
        return OpenSession.rank();
    }

    @Override
    public TransportSession open(final String[] args)
    {
        return MpjSession.open(args);
    }
}
