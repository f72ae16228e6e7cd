package org.pshmem.mpi;

import java.util.concurrent.locks.LockSupport;

import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.Fingerprint.Collective;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;

/**
 * A {@link CommEndpoint} over an MPI communicator of the system's library: the endpoints of {@link MpiSession}.
 * Work in progress (issue 16): failure checks are missing (see {@link #failedMember(String)}).
 *
 * <p>Every collective starts with an agreement: an {@code MPI_Iallreduce} with {@code MPI_MIN} of this rank's
 * {@link Fingerprint} (step, code, shape) and of their bitwise complements, so that every rank learns the least
 * and the greatest of each in one reduction. When they differ, every rank knows it, all gather every rank's
 * fingerprint and throw the same failure naming each rank's call, before the collective itself starts. The
 * agreement is waited for as every wait here is: spinning, then yielding, then parking, never blocked inside the
 * library, so a waiting rank can see the interrupt flag, and, later, failed ranks. Once every rank has agreed,
 * the collective itself is the library's blocking one, as every rank is there.
 *
 * <p>Interrupts: a downcall is never interrupted, and the waits here take the interrupt flag down while they park
 * (a parked thread with the flag set would not park) and put it back when they return.
 */
final class MpiEndpoint implements CommEndpoint
{
    private static final int SPINS = Setting.BACKOFF_SPINS.intValue();
    private static final int YIELDS = Setting.BACKOFF_YIELDS.intValue();
    private static final long MIN_PARK_NANOS = 1_000L * Setting.BACKOFF_MIN_PARK_MICROS.intValue();
    private static final long MAX_PARK_NANOS = 1_000L * Setting.BACKOFF_MAX_PARK_MICROS.intValue();
    /** Longs of an agreement: step, code and shape, then their complements. */
    private static final int AGREEMENT_LONGS = 6;
    /** Bytes of a node name in the gather that groups ranks by an overriding node name. */
    static final int NODE_NAME_BYTES = 256;

    private final MpiLibrary mpi;
    private final MpiComm comm;
    private final int rank;
    private final int size;
    private final int worldRank;
    private final String name;
    private final RankActivity activity;
    /** This rank's node name when the node setting overrides which ranks share a node, else null. */
    private final String nodeOverride;
    private final long[] mine = new long[AGREEMENT_LONGS];
    private final long[] least = new long[AGREEMENT_LONGS];
    private long steps;
    private boolean closed;

    /**
     * @param mpi       the library, initialised.
     * @param comm      the communicator; this endpoint frees it on {@link #close()} unless it is predefined.
     * @param worldRank this rank in the world.
     * @param name      the communicator as messages name it, e.g. {@code the world communicator}.
     * @param activity  where this rank's collectives are recorded, shared by all its endpoints.
     */
    MpiEndpoint(final MpiLibrary mpi, final MpiComm comm, final int worldRank, final String name,
        final RankActivity activity)
    {
        this(mpi, comm, worldRank, name, activity, null);
    }

    /**
     * @param nodeOverride this rank's node name when the node setting overrides which ranks share a node (one
     *                     machine acting as several nodes), so that {@link #splitByNode()} groups ranks by that
     *                     name; null to group them as {@code MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)} does.
     */
    MpiEndpoint(final MpiLibrary mpi, final MpiComm comm, final int worldRank, final String name,
        final RankActivity activity, final String nodeOverride)
    {
        this.nodeOverride = nodeOverride;
        this.mpi = mpi;
        this.comm = comm;
        this.rank = mpi.rank(comm);
        this.size = mpi.size(comm);
        this.worldRank = worldRank;
        this.name = name;
        this.activity = activity;
    }

    @Override
    public int rank()
    {
        return rank;
    }

    @Override
    public int size()
    {
        return size;
    }

    @Override
    public int worldRank()
    {
        return worldRank;
    }

    @Override
    public RankActivity activity()
    {
        return activity;
    }

    @Override
    public void barrier()
    {
        barrier(Collective.BARRIER);
    }

    @Override
    public void objectBarrier()
    {
        barrier(Collective.OBJECT_BARRIER);
    }

    private void barrier(final Collective kind)
    {
        try
        {
            // The agreement is itself a barrier: no rank's reduction completes before every rank has entered it.
            arrive(Fingerprint.of(steps, kind));
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public Fingerprint enterBarrierElsewhere()
    {
        final Fingerprint print = Fingerprint.of(steps, Collective.BARRIER);
        activity.enter(print, name);
        return print;
    }

    @Override
    public void exitBarrierElsewhere(final boolean done)
    {
        if (done)
        {
            steps++;
        }
        activity.exit();
    }

    @Override
    public void broadcast(final Object array, final int offset, final int count, final int root)
    {
        try
        {
            arrive(Fingerprint.broadcast(steps, array, count, root));
            mpi.broadcast(comm, array, offset, count, root);
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public void allGather(final Object send, final int count, final Object receive)
    {
        try
        {
            arrive(Fingerprint.of(steps, Collective.ALL_GATHER, send, count));
            mpi.allGather(comm, send, count, receive);
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public void allReduce(final Object send, final Object receive, final int count, final ReduceOp op)
    {
        try
        {
            arrive(Fingerprint.allReduce(steps, send, count, op));
            mpi.allReduce(comm, send, receive, count, switch (op)
            {
                case SUM -> MpiOp.SUM;
                case MIN -> MpiOp.MIN;
                case MAX -> MpiOp.MAX;
            });
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public void send(final Object array, final int offset, final int count, final int dest, final int tag)
    {
        // Isend of a copy, waited for here: a large message may wait for its receiver, and waits are ours.
        await("send()", mpi.sendLater(comm, array, offset, count, dest, tag));
    }

    @Override
    public boolean probe(final int source, final int tag)
    {
        return mpi.probe(comm, source(source), tag, MpiDatatype.BYTE) != null;
    }

    @Override
    public int receive(final Object array, final int offset, final int count, final int source, final int tag)
    {
        final MpiRequest request = mpi.receiveLater(comm, array, offset, count, source(source), tag);
        await("receive()", request);
        return request.status().count();
    }

    @Override
    public PostedReceive receiveLater(final Object array, final int offset, final int count, final int source,
        final int tag)
    {
        final MpiRequest request = mpi.receiveLater(comm, array, offset, count, source(source), tag);
        return () ->
        {
            await("receive()", request);
            return request.status().count();
        };
    }

    @Override
    public CommEndpoint split(final int color, final int key)
    {
        try
        {
            arrive(Fingerprint.of(steps, Collective.SPLIT));
            final MpiComm made = mpi.split(comm, color == UNDEFINED ? OpenMpiAbi.UNDEFINED : color, key);
            return made == null ? null : new MpiEndpoint(mpi, made, worldRank,
                "a communicator split from " + name, activity, nodeOverride);
        }
        finally
        {
            activity.exit();
        }
    }

    @Override
    public CommEndpoint splitByNode()
    {
        if (null != nodeOverride)
        {
            // Colour = the first rank with the same node name, so every node gets a distinct colour.
            final byte[] mineName = java.util.Arrays.copyOf(nodeOverride.getBytes(
                java.nio.charset.StandardCharsets.UTF_8), NODE_NAME_BYTES);
            final byte[] all = new byte[NODE_NAME_BYTES * size];
            allGather(mineName, NODE_NAME_BYTES, all);
            int colour = 0;
            while (!java.util.Arrays.equals(all, colour * NODE_NAME_BYTES, (colour + 1) * NODE_NAME_BYTES, mineName,
                0, NODE_NAME_BYTES))
            {
                colour++;
            }
            return split(colour, rank);
        }
        try
        {
            arrive(Fingerprint.of(steps, Collective.SPLIT));
            return new MpiEndpoint(mpi, mpi.splitShared(comm, rank), worldRank,
                "the node communicator of " + name, activity);
        }
        finally
        {
            activity.exit();
        }
    }

    /**
     * None known, yet: under Open MPI's default a rank that dies ends the job (mpirun kills every rank), so a
     * waiting rank does not wait forever; a rank that fails with an exception ends the job with
     * {@code MPI_Abort} ({@link MpiSession} sees to it). A rank that returns from its main while others wait for
     * it is not detected yet.
     */
    @Override
    public org.pshmem.api.RankFailedException failedMember(final String op)
    {
        return null;
    }

    /** Frees the communicator ({@code MPI_Comm_free}, collective) unless it is the world's or self. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (!comm.predefined())
        {
            mpi.free(comm);
        }
    }

    /**
     * The agreement that starts every collective; leaves {@code print} entered in the rank's activity, for the
     * caller to exit when the whole call ends.
     *
     * @throws org.pshmem.api.PshmemException on every rank, naming every rank's call, when the calls differ.
     */
    private void arrive(final Fingerprint print)
    {
        activity.enter(print, name);
        steps++;
        mine[0] = print.step();
        mine[1] = print.code();
        mine[2] = print.shape();
        // MIN of the complement is the complement of MAX: least and greatest in one reduction.
        mine[3] = ~mine[0];
        mine[4] = ~mine[1];
        mine[5] = ~mine[2];
        await(print.call(), mpi.allReduceLater(comm, mine, least, AGREEMENT_LONGS, MpiOp.MIN));
        if (least[0] != ~least[3] || least[1] != ~least[4] || least[2] != ~least[5])
        {
            // Every rank saw the same reduction, so every rank comes here, and the gather matches.
            final long[] all = new long[3 * size];
            mpi.allGather(comm, new long[] {mine[0], mine[1], mine[2]}, 3, all);
            final Fingerprint[] prints = new Fingerprint[size];
            for (int r = 0; r < size; r++)
            {
                prints[r] = Fingerprint.decode(all[3 * r], all[3 * r + 1], all[3 * r + 2]);
            }
            throw Fingerprint.mismatch(name, rank, prints);
        }
    }

    /**
     * Waits until {@code request} completes: spins, then yields the core, then parks for doubling times up to the
     * longest park, as the API's waits do. The interrupt flag is kept down while waiting (a thread with the flag
     * set does not park) and put back after, so an interrupt is neither lost nor ends the wait.
     */
    private static void await(final String call, final MpiRequest request)
    {
        boolean interrupted = Thread.interrupted();
        try
        {
            long park = MIN_PARK_NANOS;
            for (int round = 0; !request.test(); round++)
            {
                if (round < SPINS)
                {
                    Thread.onSpinWait();
                }
                else if (round < SPINS + YIELDS)
                {
                    Thread.yield();
                }
                else
                {
                    LockSupport.parkNanos(call, park);
                    park = Math.min(2 * park, MAX_PARK_NANOS);
                    interrupted |= Thread.interrupted();
                }
            }
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static int source(final int source)
    {
        return source == ANY_SOURCE ? OpenMpiAbi.ANY_SOURCE : source;
    }
}
