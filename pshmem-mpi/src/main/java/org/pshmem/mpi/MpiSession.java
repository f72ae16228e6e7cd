package org.pshmem.mpi;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.function.IntConsumer;

import org.pshmem.api.PshmemException;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmNodeMemory;
import org.pshmem.shm.ShmSegment;
import org.pshmem.spi.EscapedBuffers;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.RankSession;
import org.pshmem.spi.Setting;

/**
 * Opens one rank of an MPI job: MPI initialised ({@code MPI_Init_thread}, asking for {@code MPI_THREAD_MULTIPLE}),
 * the world and self endpoints, and node memory in the segment directory ({@link ShmNodeMemory}), as the MPJ
 * Express transport has it; and what closing the session ({@link RankSession}) gives back.
 * Which ranks share a node is {@code MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)}'s answer, unless the node setting
 * ({@link Setting#NODE}) names nodes, so that one machine acts as several.
 *
 * <p>Failures: a failure that leaves the thread that opened the session ends the job with {@code MPI_Abort}; a rank
 * that closes its session, or whose JVM ends, while others wait for it tells them so ({@link Departures}), and
 * they fail naming it. A rank that dies ends the job through {@code mpirun}.
 */
final class MpiSession
{
    private final MpiLibrary mpi;
    private final MpiEndpoint world;
    private final MpiEndpoint self;
    private final Departures departures;
    private final String node;
    private final ShmNodeMemory nodeMemory;

    /**
     * Starts this rank: initialises MPI and opens its session.
     *
     * @param mpi    the system's library, not yet initialised in this process.
     * @param args   the arguments main received; all are the application's ({@code mpirun} adds none).
     * @param opened told this rank's world rank once the session is open.
     * @return the open session, which the caller owns.
     */
    static RankSession open(final MpiLibrary mpi, final String[] args, final IntConsumer opened)
    {
        final MpiSession rank = new MpiSession(mpi, opened);
        return new RankSession(rank.world, rank.self, args, rank.nodeMemory, rank::release);
    }

    private MpiSession(final MpiLibrary mpi, final IntConsumer opened)
    {
        this.mpi = mpi;
        if (mpi.finalized() || mpi.initialized())
        {
            throw new PshmemException("MPI was already " + (mpi.finalized() ? "finalised" : "initialised") +
                " in this process; MPI starts once per process, so a rank opens one pshmem session");
        }
        mpi.initThread(ThreadLevel.MULTIPLE);
        final int worldRank = mpi.rank(mpi.world());
        final Departures leaving = Departures.open(mpi, worldRank);
        departures = leaving;
        // Named segment files (where segments cannot be unnamed) go when the JVM exits, whatever ended it.
        Runtime.getRuntime().addShutdownHook(new Thread(ShmSegment::removeKnownNames, "pshmem-segment-names"));
        final Thread opener = Thread.currentThread();
        abortOnUncaughtFailure(mpi, leaving, opener);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> finalizeAtExit(mpi, leaving, opener),
            "pshmem-mpi-finalize"));
        final RankActivity activity = new RankActivity();
        final String override = nodeOverride(worldRank);
        node = null == override ? hostName() : override;
        world = new MpiEndpoint(mpi, mpi.world(), worldRank, "the world communicator", activity, override,
            departures, "world");
        self = new MpiEndpoint(mpi, mpi.self(), worldRank, "the self communicator", activity, override,
            departures, "self");
        nodeMemory = ShmNodeMemory.inSettingsDirectory(node);
        agreeOnSegmentNaming(worldRank);
        opened.accept(worldRank);
    }

    /**
     * Makes a failure that leaves {@code opener} (the thread that opened the session, normally main's) end the
     * whole job with {@code MPI_Abort}, once the thread's handler has printed it. Without this, the failure would
     * pass through {@code Pshmem.close()} (try-with-resources), and a rank that finalised MPI there would leave the
     * other ranks waiting for it for ever; so {@link #release()} does not finalise, {@link #finalizeAtExit} does.
     * The failure is first told to the other ranks, so that those waiting for this one name it rather than this
     * rank's finish (its session closed on the way out of main).
     */
    private static void abortOnUncaughtFailure(final MpiLibrary mpi, final Departures departures,
        final Thread opener)
    {
        final Thread.UncaughtExceptionHandler previous = opener.getUncaughtExceptionHandler();
        opener.setUncaughtExceptionHandler((thread, failure) ->
        {
            departures.announce(Departures.Kind.FAILED, failure);
            previous.uncaughtException(thread, failure);
            System.out.flush();
            System.err.flush();
            if (mpi.initialized() && !mpi.finalized())
            {
                mpi.abort(mpi.world(), 1);
            }
        });
    }

    /**
     * Finalises MPI as the JVM exits, when it is initialised and not finalised: after main returned normally (or
     * {@code System.exit}). {@code MPI_THREAD_MULTIPLE} lets this thread call it. Ranks still waiting for this one
     * are told first (when the session was not closed), and this rank then waits, parked, until every rank comes
     * here too ({@link Departures#awaitEveryone()}), or until they fail and end the job. None of this when a signal
     * ends the JVM: that is {@code mpirun} ending the job (after another rank died, or at its {@code --timeout}),
     * the ranks must not name this one, and MPI is not finalised: the thread that opened the session may still be
     * in an MPI call, and finalising under it crashed the JVM (SIGSEGV in {@code PMPI_Iprobe}). {@code mpirun}
     * cleans up after a rank that ends unfinalised, as after {@code kill -9}.
     */
    private static void finalizeAtExit(final MpiLibrary mpi, final Departures departures, final Thread opener)
    {
        if (mpi.initialized() && !mpi.finalized() && leavesByItself(opener))
        {
            departures.announce(Departures.Kind.FINISHED, null);
            departures.awaitEveryone();
            departures.settle();
            mpi.finalizeMpi();
        }
    }

    /**
     * Whether the JVM ends because the program ended it: the thread that opened the session has ended (main
     * returned), or a thread is in {@code Runtime.exit} ({@code System.exit}). A signal (SIGTERM, SIGINT) ends it
     * through {@code Shutdown.exit} directly, so no thread is then in {@code Runtime.exit}.
     */
    private static boolean leavesByItself(final Thread opener)
    {
        if (!opener.isAlive())
        {
            return true;
        }
        for (final StackTraceElement[] frames : Thread.getAllStackTraces().values())
        {
            for (final StackTraceElement frame : frames)
            {
                if ("java.lang.Runtime".equals(frame.getClassName()) && "exit".equals(frame.getMethodName()))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /** The node name the setting gives this rank, or null when it is not set (as the MPJ transport reads it). */
    private static String nodeOverride(final int worldRank)
    {
        final String setting = Setting.NODE.explicitValue().orElse(null);
        if (null == setting)
        {
            return null;
        }
        final String[] names = setting.split(",");
        if (names.length == 1)
        {
            return names[0].trim();
        }
        if (worldRank >= names.length)
        {
            throw new IllegalArgumentException(Setting.NODE.property().orElseThrow() + " lists " + names.length +
                " node names, but world rank " + worldRank + " needs entry " + worldRank);
        }
        return names[worldRank].trim();
    }

    private static String hostName()
    {
        try
        {
            return InetAddress.getLocalHost().getHostName();
        }
        catch (final UnknownHostException ex)
        {
            return "localhost";
        }
    }

    /**
     * Collective: whether segments can be unnamed on every node ({@link SegmentNaming}). Raw MPI rather than the
     * world endpoint, so the application's collectives still count their steps from 0.
     */
    private void agreeOnSegmentNaming(final int worldRank)
    {
        SegmentNaming.agreeAcrossJob(mpi.size(mpi.world()), worldRank, node,
            (mine, all) -> mpi.allGather(mpi.world(), mine, mine.length, all),
            (mine, all) -> mpi.allGather(mpi.world(), mine, mine.length, all));
    }

    /** What closing the session gives back; run once. */
    private void release()
    {
        MpiTransport.released();
        self.close();
        world.close();
        EscapedBuffers.reap();
        // Ranks that still wait for this one fail now, not when this JVM ends, which may be much later.
        departures.announce(Departures.Kind.FINISHED, null);
        // MPI is finalised as the JVM exits (finalizeAtExit), so that a failure on its way out of main can
        // still end the job with MPI_Abort.
    }
}
