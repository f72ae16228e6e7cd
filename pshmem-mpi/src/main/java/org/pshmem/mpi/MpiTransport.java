package org.pshmem.mpi;

import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicInteger;

import org.pshmem.spi.Transport;
import org.pshmem.spi.TransportSession;

/**
 * The native MPI transport, named {@code mpi}: one JVM per rank, started by the MPI library's own launcher
 * ({@code mpirun}), messages through the system's MPI library (Open MPI's {@code libmpi.so.40}) called with
 * {@code java.lang.foreign}, node memory as segment files in {@code /dev/shm} (module {@code pshmem-shm}).
 * Needs Java 22 or later and native access enabled ({@code --enable-native-access=ALL-UNNAMED}).
 *
 * <p>Work in progress (issue 16): no launcher of pshmem's own yet ({@code mpirun} starts the ranks). A failure
 * leaving the thread that opened the session ends the job with {@code MPI_Abort} ({@link MpiSession}); a rank
 * that returns from main or closes its session while others wait for it makes them fail naming it
 * ({@link Departures}).
 */
public final class MpiTransport implements Transport
{
    /** Name by which this transport is chosen. */
    public static final String NAME = "mpi";
    /** Variables Open MPI's launcher (and PMIx launchers) set in every rank's environment. */
    private static final String[] LAUNCHER_VARIABLES = {"OMPI_COMM_WORLD_RANK", "PMIX_RANK"};
    private static final int NONE = -1;
    private static final int OPENING = Integer.MIN_VALUE;
    /** This JVM's world rank while a session is open; {@link #OPENING} while one opens. */
    private static final AtomicInteger OPEN_RANK = new AtomicInteger(NONE);

    /**
     * Used by {@link java.util.ServiceLoader}.
     */
    public MpiTransport()
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
        return 20;
    }

    /** True when an MPI launcher ({@code mpirun}) started this process: it set its rank variables. */
    @Override
    public boolean launchedThisRank(final String[] args)
    {
        for (final String variable : LAUNCHER_VARIABLES)
        {
            if (null != System.getenv(variable))
            {
                return true;
            }
        }
        return false;
    }

    @Override
    public boolean runsWithoutLauncher()
    {
        return false;
    }

    @Override
    public OptionalInt rankWithOpenSession()
    {
        final int rank = OPEN_RANK.get();
        return rank == NONE ? OptionalInt.empty() : OptionalInt.of(rank == OPENING ? NONE : rank);
    }

    @Override
    public TransportSession open(final String[] args)
    {
        if (!OPEN_RANK.compareAndSet(NONE, OPENING))
        {
            throw TransportSession.alreadyOpen(rankWithOpenSession().orElse(NONE));
        }
        boolean opened = false;
        try
        {
            final TransportSession session = MpiSession.open(MpiLibrary.system(), args, OPEN_RANK::set);
            opened = true;
            return session;
        }
        finally
        {
            if (!opened)
            {
                OPEN_RANK.set(NONE);
            }
        }
    }

    /** The session closed: another may be opened (MPI itself cannot start again in this process). */
    static void released()
    {
        OPEN_RANK.set(NONE);
    }
}
