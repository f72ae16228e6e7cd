package org.pshmem.mpi;

import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.IntStream;

import org.pshmem.api.RankFailedException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.Fingerprint.Collective;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;

/**
 * A {@link CommEndpoint} over an MPI communicator of the system's library: the endpoints of {@link MpiSession}.
 *
 * <p>Every collective starts with an agreement: an {@code MPI_Iallreduce} with {@code MPI_MIN} of this rank's
 * {@link Fingerprint} (step, code, shape) and of their bitwise complements, so that every rank learns the least
 * and the greatest of each in one reduction. When they differ, every rank knows it, all gather every rank's
 * fingerprint and throw the same failure naming each rank's call, before the collective itself starts. The
 * agreement is waited for as every wait here is: spinning, then yielding, then parking, never blocked inside the
 * library, so a waiting rank can see the interrupt flag and ranks that left the job. Once every rank has agreed,
 * the collective itself is the library's non-blocking one, waited for the same way: a blocking MPI call polls
 * without yielding while Open MPI believes the node is not oversubscribed (one rank per slot of its host file), and
 * on a shared core that stole the time of the very ranks it waited for (a job of 1,000 small arrays, 6 ranks on 2
 * cores: 50 s, 7 s with Open MPI yielding).
 *
 * <p>Entry notes: no probe sees a rank enter an {@code MPI_Iallreduce}, so on entering a collective each rank also
 * sends the next one a byte tagged with the step's parity ({@link #entryTag}), and takes the one from the rank
 * before once the agreement is complete. A rank waiting in a barrier made in node memory probes for that note
 * ({@link #collectiveWaiting}): a whole node in another collective of this communicator is seen, and the waiting
 * rank gives way to this endpoint's barrier, where every rank fails naming the calls.
 *
 * <p>Ranks that left: once a wait parks, it asks the session's {@link Departures} whether a rank it waits for has
 * finished (closed its session or ended) or any rank has failed, and then throws a {@link RankFailedException}
 * naming that rank and the call: a collective waits for every member, a receive for its source (for every other
 * member when the source is any), a send for its destination. A finished rank is named once it has been known
 * finished for {@value Departures#GRACE_MILLIS} ms and the wait is still not over.
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
    /** First tag of the entry notes: above {@code Communicator.MAX_TAG}, so no user's message matches them. */
    static final int ENTRY_TAG = 1 << 30;
    private static final byte[] NOTE = new byte[1];

    private final MpiLibrary mpi;
    private final MpiComm comm;
    private final int rank;
    private final int size;
    private final int worldRank;
    private final String name;
    private final RankActivity activity;
    /** This rank's node name when the node setting overrides which ranks share a node, else null. */
    private final String nodeOverride;
    private final Departures departures;
    /** The members' world ranks, by rank in this communicator. */
    private final int[] members;
    /**
     * The communicator's id, the same on every member and different from every other communicator's: where it was
     * split from (its parent's id and step) and its first member's world rank. Names it in closing notices.
     */
    private final String id;
    private final long[] mine = new long[AGREEMENT_LONGS];
    private final long[] least = new long[AGREEMENT_LONGS];
    private final byte[] noteIn = new byte[1];
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
        this(mpi, comm, worldRank, name, activity, null, Departures.none(worldRank, mpi.size(mpi.world())),
            "endpoint");
    }

    /**
     * @param nodeOverride this rank's node name when the node setting overrides which ranks share a node (one
     *                     machine acting as several nodes), so that {@link #splitByNode()} groups ranks by that
     *                     name; null to group them as {@code MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)} does.
     * @param departures   the ranks that left the job, as this rank hears of them; shared by all its endpoints.
     * @param origin       where the communicator comes from, the same on every member: {@code world} or
     *                     {@code self}, or the parent's id and the step of the split that made it.
     */
    MpiEndpoint(final MpiLibrary mpi, final MpiComm comm, final int worldRank, final String name,
        final RankActivity activity, final String nodeOverride, final Departures departures, final String origin)
    {
        this.nodeOverride = nodeOverride;
        this.mpi = mpi;
        this.comm = comm;
        this.rank = mpi.rank(comm);
        this.size = mpi.size(comm);
        this.worldRank = worldRank;
        this.name = name;
        this.activity = activity;
        this.departures = departures;
        this.members = worldRanks(mpi, comm, worldRank, size);
        this.id = comm.predefined() ? origin : origin + "." + members[0];
    }

    /**
     * The members' world ranks. A communicator made by a split gathers them (raw MPI, so the application's
     * collectives still count their steps from 0): it was just made by every member together, so all are here.
     */
    private static int[] worldRanks(final MpiLibrary mpi, final MpiComm comm, final int worldRank, final int size)
    {
        if (comm.predefined())
        {
            return size == 1 ? new int[] {worldRank} : IntStream.range(0, size).toArray();
        }
        final int[] all = new int[size];
        mpi.allGather(comm, new int[] {worldRank}, 1, all);
        return all;
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
        collective(Fingerprint.broadcast(steps, array, count, root),
            () -> mpi.broadcastLater(comm, array, offset, count, root));
    }

    @Override
    public void allGather(final Object send, final int count, final Object receive)
    {
        collective(Fingerprint.of(steps, Collective.ALL_GATHER, send, count),
            () -> mpi.allGatherLater(comm, send, count, receive));
    }

    @Override
    public void allReduce(final Object send, final Object receive, final int count, final ReduceOp op)
    {
        collective(Fingerprint.allReduce(steps, send, count, op),
            () -> mpi.allReduceLater(comm, send, receive, count, mpiOp(op)));
    }

    /** The agreement on {@code print}, then the collective {@code start} begins, waited for like the agreement. */
    private void collective(final Fingerprint print, final Supplier<MpiRequest> start)
    {
        try
        {
            arrive(print);
            await(print.call(), start.get(), gone(print));
        }
        finally
        {
            activity.exit();
        }
    }

    /**
     * Leaves the agreement that starts it, and only that, when {@code giveWay} says so while it waits parked: the
     * agreement's reduction is left pending (MPI cannot withdraw a collective), so the members no longer agree on
     * this communicator, which is what a rank that gives way has found anyway.
     */
    @Override
    public boolean allReduceUnless(final Object send, final Object receive, final int count, final ReduceOp op,
        final java.util.function.BooleanSupplier giveWay)
    {
        try
        {
            final Fingerprint print = Fingerprint.allReduce(steps, send, count, op);
            if (!arrive(print, giveWay))
            {
                return false;
            }
            await(print.call(), mpi.allReduceLater(comm, send, receive, count, mpiOp(op)), gone(print));
            return true;
        }
        finally
        {
            activity.exit();
        }
    }

    /** The entry notes tell: barriers across nodes may wait in node memory. */
    @Override
    public boolean tellsCollectiveWaiting()
    {
        return true;
    }

    /**
     * Whether the rank before this one entered a collective of step {@code step}: its entry note, of the step's
     * parity, waits here (no rank can be two steps ahead of one that waits, as every collective needs all).
     */
    @Override
    public boolean collectiveWaiting(final long step)
    {
        return size > 1 && !closed && null != mpi.probe(comm, (rank - 1 + size) % size, entryTag(step),
            MpiDatatype.BYTE);
    }

    /**
     * @param step a collective's step.
     * @return the tag of its entry notes.
     */
    static int entryTag(final long step)
    {
        return ENTRY_TAG + (int)(step & 1);
    }

    @Override
    public void send(final Object array, final int offset, final int count, final int dest, final int tag)
    {
        // Isend of a copy, waited for here: a large message may wait for its receiver, and waits are ours.
        await("send()", mpi.sendLater(comm, array, offset, count, dest, tag), () -> departed("send()",
            new int[] {members[dest]}, "finished without receiving the message to rank " + dest + " of " + name +
            " with tag " + tag));
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
        await("receive()", request, () -> senderGone(source, tag));
        return request.status().count();
    }

    @Override
    public PostedReceive receiveLater(final Object array, final int offset, final int count, final int source,
        final int tag)
    {
        final MpiRequest request = mpi.receiveLater(comm, array, offset, count, source(source), tag);
        return () ->
        {
            await("receive()", request, () -> senderGone(source, tag));
            return request.status().count();
        };
    }

    /** The failure of a receive whose sender ({@code source}, or every other member for any) left the job. */
    private RankFailedException senderGone(final int source, final int tag)
    {
        final String message = "without sending the message from " + (source == ANY_SOURCE ? "any rank" :
            "rank " + source) + " of " + name + " with tag " + tag;
        if (source != ANY_SOURCE)
        {
            return departed("receive()", new int[] {members[source]}, "finished " + message);
        }
        final RankFailedException failed = departures.failed("receive()", worldRank);
        if (null != failed || !departures.allFinished(members, id))
        {
            return failed;
        }
        final int first = departures.firstFinished(members, id, true);
        return new RankFailedException(first, "receive() on rank " + worldRank + ": every other rank of " + name +
            " finished " + message + ", rank " + first + " first" + departures.why(first), null);
    }

    /**
     * @param call    the waiting call.
     * @param awaited the world ranks waited for.
     * @param what    what the rank that left did not do, after its name.
     * @return the failure of a wait for {@code awaited}: any rank failed, or one of {@code awaited} finished (and
     * was known finished for the grace time); null when neither is known.
     */
    private RankFailedException departed(final String call, final int[] awaited, final String what)
    {
        final RankFailedException failed = departures.failed(call, worldRank);
        if (null != failed)
        {
            return failed;
        }
        final int gone = departures.firstFinished(awaited, id, true);
        return gone < 0 ? null : new RankFailedException(gone, call + " on rank " + worldRank + ": rank " + gone +
            " " + what + departures.why(gone), null);
    }

    @Override
    public CommEndpoint split(final int color, final int key)
    {
        try
        {
            arrive(Fingerprint.of(steps, Collective.SPLIT));
            final MpiComm made = mpi.split(comm, color == UNDEFINED ? OpenMpiAbi.UNDEFINED : color, key);
            return made == null ? null : new MpiEndpoint(mpi, made, worldRank,
                "a communicator split from " + name, activity, nodeOverride, departures, id + "." + (steps - 1));
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
                "the node communicator of " + name, activity, null, departures, id + "." + (steps - 1));
        }
        finally
        {
            activity.exit();
        }
    }

    /**
     * A rank of the job that failed, else a member that finished (closed its session or this communicator, or
     * ended), as
     * {@link Departures} heard; without the grace time, as the waits that ask look at their condition again
     * before they throw. A rank that dies is not named here: under Open MPI's default, {@code mpirun} then ends
     * the job.
     */
    @Override
    public RankFailedException failedMember(final String op)
    {
        final RankFailedException failed = departures.failed(op, worldRank);
        if (null != failed)
        {
            return failed;
        }
        final int gone = departures.firstFinished(members, id, false);
        return gone < 0 ? null : new RankFailedException(gone, op + " on rank " + worldRank + ": rank " + gone +
            " finished without taking part in " + op + " on " + name + departures.why(gone), null);
    }

    /**
     * Frees the communicator ({@code MPI_Comm_free}, collective) unless it is the world's or self, first telling
     * the other members, so that any still waiting in it fail naming this rank.
     */
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
            departures.announceClosed(id, members);
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
        arrive(print, null);
    }

    /**
     * {@link #arrive(Fingerprint)}, which this rank leaves when {@code giveWay} (when not null) says so while it
     * waits parked.
     *
     * @return true when every rank arrived with the same call; false when it gave way.
     */
    private boolean arrive(final Fingerprint print, final java.util.function.BooleanSupplier giveWay)
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
        final int tag = entryTag(print.step());
        final MpiRequest note = size > 1 ? mpi.sendLater(comm, NOTE, 0, 1, (rank + 1) % size, tag) : null;
        final Gone gone = gone(print);
        if (!await(print.call(), mpi.allReduceLater(comm, mine, least, AGREEMENT_LONGS, MpiOp.MIN), gone, giveWay))
        {
            return false;
        }
        if (null != note)
        {
            // Every rank has entered, so the note of the rank before is sent; ours completes as the next takes it.
            await(print.call(), mpi.receiveLater(comm, noteIn, 0, 1, (rank - 1 + size) % size, tag), gone);
            await(print.call(), note, gone);
        }
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
        return true;
    }

    /** Why a wait in the collective {@code print} can no longer end: a member failed or finished. */
    private Gone gone(final Fingerprint print)
    {
        return () -> departed(print.call(), members, "finished without taking part in " + print + " on " + name);
    }

    /**
     * Waits until {@code request} completes: spins, then yields the core, then parks for doubling times up to the
     * longest park, as the API's waits do. The interrupt flag is kept down while waiting (a thread with the flag
     * set does not park) and put back after, so an interrupt is neither lost nor ends the wait. Once parking, asks
     * {@code gone} after every park whether the wait can still end, and throws its failure when not. The request
     * is then left to the library: a collective or a send cannot be withdrawn, and the job is ending.
     */
    private static void await(final String call, final MpiRequest request, final Gone gone)
    {
        await(call, request, gone, null);
    }

    /**
     * {@link #await(String, MpiRequest, Gone)}, which also ends, leaving the request pending, when {@code giveWay}
     * (when not null) says so once the wait parks.
     *
     * @return true when the request completed; false when {@code giveWay} said so first.
     */
    private static boolean await(final String call, final MpiRequest request, final Gone gone,
        final java.util.function.BooleanSupplier giveWay)
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
                    final RankFailedException failure = gone.failure();
                    if (null != failure && !request.test())
                    {
                        throw failure;
                    }
                    if (null != giveWay && giveWay.getAsBoolean() && !request.test())
                    {
                        return false;
                    }
                }
            }
            return true;
        }
        finally
        {
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Why a wait can no longer end: asked once the wait parks. */
    @FunctionalInterface
    private interface Gone
    {
        /** @return the failure to throw, or null while the wait may still end. */
        RankFailedException failure();
    }

    private static MpiOp mpiOp(final ReduceOp op)
    {
        return switch (op)
        {
            case SUM -> MpiOp.SUM;
            case MIN -> MpiOp.MIN;
            case MAX -> MpiOp.MAX;
        };
    }

    private static int source(final int source)
    {
        return source == ANY_SOURCE ? OpenMpiAbi.ANY_SOURCE : source;
    }
}
