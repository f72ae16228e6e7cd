package org.pshmem.mpj;

import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import org.pshmem.api.PshmemException;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmNodeMemory;
import org.pshmem.spi.EscapedBuffers;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.RankSession;

/**
 * Opens one rank of an MPJ Express job: MPI initialised from the launcher's arguments, the world and self
 * endpoints, and node memory in the segment directory ({@link ShmNodeMemory}); and what closing the session
 * ({@link RankSession}) gives back.
 */
final class MpjSession
{
    /** System property naming the directory of segment files; default {@value #DEFAULT_SHM_DIR}. */
    static final String SHM_DIR_PROPERTY = "pshmem.shmDir";
    /** Environment variable naming the directory of segment files, when the property is not set. */
    static final String SHM_DIR_ENV = "PSHMEM_SHM_DIR";
    static final String DEFAULT_SHM_DIR = "/dev/shm";

    /**
     * The collective this rank is in: one rank per JVM (per class loader under the multicore device), so
     * {@link GuardedRank}'s watchdog reaches it here and leaves it in the job folder when a call lasts.
     */
    private static final RankActivity ACTIVITY = new RankActivity();

    /** Set by {@link GuardedRank}: finalise after main returns, not as the session closes. */
    private static volatile boolean finalizeDeferred;
    private static volatile boolean finalizePending;

    private final String[] applicationArgs;
    private final MpjEndpoint world;
    private final MpjEndpoint self;
    private final ShmNodeMemory nodeMemory;

    /**
     * Starts this rank: initialises MPI and opens its session.
     *
     * @param args the arguments main received, the launcher's first.
     * @return the open session, which the caller owns.
     */
    static RankSession open(final String[] args)
    {
        final MpjSession rank = new MpjSession(args);
        return new RankSession(rank.world, rank.self, rank.applicationArgs, rank.nodeMemory, rank::release);
    }

    private MpjSession(final String[] args)
    {
        OpenSession.claim();
        boolean started = false;
        try
        {
            try
            {
                ListenPatch.installForRank(args); // niodev's sockets on one address, not every interface
                MpjCarrier.useFor(null != args && args.length >= 3 ? args[2] : null);
            }
            catch (final IllegalStateException ex)
            {
                throw new PshmemException("MPJ Express cannot start this rank: " + ex.getMessage(), ex);
            }
            final String[] remaining;
            try
            {
                remaining = MPI.Init(args);
            }
            catch (final MPIException ex)
            {
                throw new PshmemException("MPJ Express failed to start this rank: " + ex, ex);
            }
            applicationArgs = remaining;
            final Intracomm worldComm = MPI.COMM_WORLD;
            final int worldRank = worldComm.Rank();
            final String node = NodeNames.resolve(worldRank, MPI.Get_processor_name());
            world = new MpjEndpoint(worldComm, worldRank, node, false, "w", ACTIVITY);
            self = new MpjEndpoint(worldComm.Split(worldRank, 0), worldRank, node, true, "self", ACTIVITY);
            nodeMemory = ShmNodeMemory.inSettingsDirectory(node);
            agreeOnSegmentNaming(worldComm, worldRank, node);
            OpenSession.opened(worldRank);
            started = true;
        }
        finally
        {
            if (!started)
            {
                OpenSession.release();
            }
        }
    }

    /**
     * Collective: whether segments can be unnamed on every node ({@link SegmentNaming}). Raw MPI rather than the
     * world endpoint, so the application's collectives still count their steps from 0.
     */
    private static void agreeOnSegmentNaming(final Intracomm comm, final int worldRank, final String node)
    {
        try
        {
            SegmentNaming.agreeAcrossJob(comm.Size(), worldRank, node,
                (mine, all) -> comm.Allgather(mine, 0, mine.length, MPI.LONG, all, 0, mine.length, MPI.LONG),
                (mine, all) -> comm.Allgather(mine, 0, mine.length, MPI.INT, all, 0, mine.length, MPI.INT));
        }
        catch (final MPIException ex)
        {
            throw new PshmemException("MPJ Express failed while this rank started: " + ex, ex);
        }
    }

    /** What closing the session gives back; run once. */
    private void release()
    {
        OpenSession.release();
        self.close();
        EscapedBuffers.reap();
        if (finalizeDeferred)
        {
            finalizePending = true;
        }
        else
        {
            finalizeNow();
        }
    }

    /** @return the collective this rank is in now, for its watchdog. */
    static RankActivity activity()
    {
        return ACTIVITY;
    }

    static void deferFinalize()
    {
        finalizeDeferred = true;
    }

    /**
     * Called by {@link GuardedRank} once main returned normally: finalises MPJ Express when the session was closed,
     * and also when main returned with it still open, as the mpi transport does at exit (MPJ's threads would
     * otherwise keep the JVM, and so the job, alive for ever).
     */
    static void finalizeAfterMain()
    {
        if (finalizePending)
        {
            finalizePending = false;
            finalizeNow();
        }
        else if (OpenSession.rank().isPresent())
        {
            OpenSession.release();
            finalizeNow();
        }
    }

    private static void finalizeNow()
    {
        try
        {
            MPI.Finalize();
        }
        catch (final MPIException ex)
        {
            throw new PshmemException("MPJ Express failed to finalise this rank: " + ex, ex);
        }
    }
}
