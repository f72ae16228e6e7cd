package org.pshmem.mpj;

import java.nio.file.Files;
import java.nio.file.Path;

import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import org.pshmem.api.PshmemException;
import org.pshmem.shm.SegmentNaming;
import org.pshmem.shm.ShmSegment;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.EscapedBuffers;
import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;
import org.pshmem.spi.TransportSession;

/**
 * One rank of an MPJ Express job: MPI initialised from the launcher's arguments, the world and self endpoints,
 * and node memory in the segment directory.
 */
final class MpjSession implements TransportSession, NodeMemory
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

    /** Set by {@link GuardedRank}: finalise after main returns, not in close(). */
    private static volatile boolean finalizeDeferred;
    private static volatile boolean finalizePending;

    private final String[] applicationArgs;
    private final MpjEndpoint world;
    private final MpjEndpoint self;
    private final Path shmDir;
    private boolean closed;
    private Capacity capacity;

    MpjSession(final String[] args)
    {
        OpenSession.claim();
        boolean started = false;
        try
        {
            try
            {
                ListenPatch.installForRank(args); // niodev's sockets on one address, not every interface
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
            applicationArgs = null == remaining ? new String[0] : remaining;
            final Intracomm worldComm = MPI.COMM_WORLD;
            final int worldRank = worldComm.Rank();
            final String node = NodeNames.resolve(worldRank, MPI.Get_processor_name());
            world = new MpjEndpoint(worldComm, worldRank, node, false, "w", ACTIVITY);
            self = new MpjEndpoint(worldComm.Split(worldRank, 0), worldRank, node, true, "self", ACTIVITY);
            shmDir = shmDir();
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
            final int size = comm.Size();
            final long[] all = new long[2 * size];
            final long[] mine = {ProcessHandle.current().pid(),
                java.util.UUID.nameUUIDFromBytes(node.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .getMostSignificantBits()};
            comm.Allgather(mine, 0, 2, MPI.LONG, all, 0, 2, MPI.LONG);
            final long[] pids = new long[size];
            final long[] nodes = new long[size];
            for (int rank = 0; rank < size; rank++)
            {
                pids[rank] = all[2 * rank];
                nodes[rank] = all[2 * rank + 1];
            }
            final SegmentNaming.Decision local = SegmentNaming.probe();
            final int[] findings = new int[size];
            comm.Allgather(new int[] {SegmentNaming.find(local, pids, nodes, worldRank)}, 0, 1, MPI.INT, findings,
                0, 1, MPI.INT);
            SegmentNaming.settle(SegmentNaming.agree(findings, pids, worldRank, local), worldRank == 0);
        }
        catch (final MPIException ex)
        {
            throw new PshmemException("MPJ Express failed while this rank started: " + ex, ex);
        }
    }

    private static Path shmDir()
    {
        final Path path = Path.of(Setting.SHM_DIR.value().orElseThrow());
        if (!Files.isDirectory(path))
        {
            throw new PshmemException("segment directory " + path + " (from " + SHM_DIR_PROPERTY + ", " + SHM_DIR_ENV +
                " or the default) is not a directory");
        }
        return path;
    }

    @Override
    public CommEndpoint world()
    {
        return world;
    }

    @Override
    public CommEndpoint self()
    {
        return self;
    }

    @Override
    public String[] applicationArgs()
    {
        return applicationArgs.clone();
    }

    @Override
    public NodeMemory nodeMemory()
    {
        return this;
    }

    @Override
    public Capacity capacity()
    {
        if (null == capacity)
        {
            capacity = readCapacity();
        }
        return capacity;
    }

    private Capacity readCapacity()
    {
        final Capacity machine = NodeMemory.machineMemory();
        try
        {
            final long total = Files.getFileStore(shmDir).getTotalSpace();
            return total < machine.bytes() ? new Capacity(total, "the size of the segment directory " + shmDir) :
                machine;
        }
        catch (final java.io.IOException ex)
        {
            return machine; // the segment's own reservation says what is wrong with the directory
        }
    }

    @Override
    public NodeSegment create(final long byteSize, final int controlBytes, final String label)
    {
        return ShmSegment.create(shmDir, world.nodeName(), byteSize, controlBytes);
    }

    @Override
    public NodeSegment attach(final byte[] handle, final long byteSize, final int controlBytes)
    {
        return ShmSegment.attach(handle, byteSize, controlBytes);
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
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

    /** Called by {@link GuardedRank} once main returned normally. */
    static void finalizeIfClosed()
    {
        if (finalizePending)
        {
            finalizePending = false;
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
