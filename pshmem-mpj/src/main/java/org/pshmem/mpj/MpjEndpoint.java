package org.pshmem.mpj;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

import mpi.Datatype;
import mpi.Intracomm;
import mpi.MPI;
import mpi.MPIException;
import mpi.Op;
import mpi.Request;
import mpi.Status;
import org.pshmem.api.PshmemException;
import org.pshmem.api.RankFailedException;
import org.pshmem.api.ReduceOp;
import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.Fingerprint.Collective;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.RankActivity;
import org.pshmem.spi.Setting;

/**
 * A {@link CommEndpoint} over an MPJ Express intracommunicator. Node groups are ranks whose node names
 * ({@link NodeNames}) are equal.
 *
 * <p>Interrupts never reach MPJ: niodev writes to its socket channels on the calling thread, and a channel
 * written by an interrupted thread is closed for good (the job dies with {@code ClosedByInterruptException});
 * an interrupt while MPJ waits is swallowed with a stack trace. So every call runs with the interrupt flag
 * taken down and put back after it ({@link InterruptShield}), and the waits that can be long (a barrier, a
 * receive whose message is not there yet) are ours: polling with {@code Iprobe}, parked, checking for failed
 * ranks. An interrupt that lands during an MPJ call itself cannot reach it either: under niodev every call but
 * the polls runs on the caller's carrier ({@link MpjCarrier}), and a poll that an interrupt ends is made again.
 *
 * <p>The multicore device's {@code iprobe} reads its map of waiting sends without the lock under which the other
 * ranks' threads change it (the lock on its device class), and a probe racing a send corrupts the map (a
 * {@code StackOverflowError} in {@code HashMap}), so probes take that lock; its {@code Wait} fails when the
 * thread is interrupted, so the barrier's sends complete by {@code Test}, parked, as its receives do.
 *
 * <p>Every collective starts with that barrier, and the barrier carries the collective's {@link Fingerprint}:
 * each round's message holds the least and greatest step, code and shape (count and root) its sender has
 * heard of, so after the last round every rank knows whether all fingerprints are equal. When they are not,
 * every rank knows it, all run a second round of messages that gathers every rank's fingerprint, and all
 * throw the same failure naming each rank's call, before any MPJ collective starts. A rank waiting for a member that has finished (its {@code main}
 * returned, it ended, or it closed the communicator) fails within about 2 s instead of waiting.
 */
final class MpjEndpoint implements CommEndpoint
{
    /**
     * First tag of the barrier's rounds; the API refuses user tags above {@code Communicator.MAX_TAG}. Round k of
     * a collective at step s uses {@link #barrierTag}: {@code BARRIER_TAG + 2k + (s & 1)}.
     */
    static final int BARRIER_TAG = 1 << 30;
    /** First tag of the rounds that gather every rank's fingerprint when they differ; above every round's tag. */
    static final int MISMATCH_TAG = BARRIER_TAG + 64;
    private static final int MIN_STEP = 0;
    private static final int MAX_STEP = 1;
    private static final int MIN_CODE = 2;
    private static final int MAX_CODE = 3;
    private static final int PRINT_LONGS = 3; // step, code, shape
    private static final int MIN_SHAPE = 4;
    private static final int MAX_SHAPE = 5;
    private static final int SPINS = 10;
    private static final int YIELDS = Setting.BACKOFF_YIELDS.intValue();
    private static final long MAX_PARK_NANOS = 1_000_000;
    /** The lock of the multicore device's queues (its device class), which its own {@code iprobe} does not take. */
    private static final Object SMPDEV_LOCK = smpdevLock();

    private final Intracomm comm;
    private final int rank;
    private final int size;
    private final int worldRank;
    private final String nodeName;
    private final boolean freeable;
    // MPJ's niodev does not reliably deliver a rank's message to itself, so those stay here.
    private final Map<Integer, ArrayDeque<Object>> toSelf = new java.util.concurrent.ConcurrentHashMap<>();
    private final long[] heard = new long[6];
    private final long[] token = new long[6];
    private final long[] received = new long[6];
    private final CommMembers members;
    private final RankActivity activity;
    /** The communicator's name, made once: the report of a stalled job names it with each rank's call. */
    private final String name;
    private boolean closed;
    private long steps;

    /**
     * @param comm      the MPJ communicator.
     * @param worldRank this rank in the world.
     * @param nodeName  this rank's node.
     * @param freeable  false for the world communicator, which is never freed.
     * @param id        names the communicator alike on every member (world {@code w}; a split's is its parent's,
     *                  the split's step and the colour), for the mark its members leave when they close it.
     * @param activity  where this rank's collectives are recorded, shared by all its endpoints.
     */
    MpjEndpoint(final Intracomm comm, final int worldRank, final String nodeName, final boolean freeable,
        final String id, final RankActivity activity)
    {
        this.activity = activity;
        this.comm = comm;
        this.rank = comm.Rank();
        this.size = comm.Size();
        this.worldRank = worldRank;
        this.nodeName = nodeName;
        this.freeable = freeable;
        this.members = new CommMembers(comm, freeable ? "the communicator of world " : "the world communicator", id);
        this.name = members.name();
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

    String nodeName()
    {
        return nodeName;
    }

    /**
     * A dissemination barrier over point-to-point messages with tags of the library's own: in round k each rank
     * tells rank {@code rank + 2^k} and waits to hear from rank {@code rank - 2^k}, parked, so that a rank
     * waiting here can be interrupted without harm and notices a failed rank.
     */
    @Override
    public void barrier()
    {
        barrier(Collective.BARRIER);
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
    public RankActivity activity()
    {
        return activity;
    }

    @Override
    public void objectBarrier()
    {
        barrier(Collective.OBJECT_BARRIER);
    }

    private void barrier(final Collective kind)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            arrive(Fingerprint.of(steps, kind), shield);
        }
        catch (final MPIException ex)
        {
            throw failed(kind == Collective.BARRIER ? "barrier()" : "an object's barrier", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    /**
     * The barrier, carrying this rank's call; collectives start with it too, so a rank waits for late ones here
     * and not inside MPJ, and ranks whose calls differ all throw here, before MPJ is asked anything.
     */
    private void arrive(final Fingerprint print, final InterruptShield shield) throws MPIException
    {
        arrive(print, shield, null);
    }

    /**
     * {@link #arrive(Fingerprint, InterruptShield)}, which this rank leaves when {@code giveWay} (when not null)
     * says so while it waits: it returns false then, leaving the messages it sent and its step counted (the
     * members no longer agree on this endpoint's steps; see {@link #allReduceUnless}).
     *
     * @return true when every rank arrived with the same call; false when it gave way.
     */
    private boolean arrive(final Fingerprint print, final InterruptShield shield,
        final java.util.function.BooleanSupplier giveWay) throws MPIException
    {
        activity.enter(print, name); // the collective's caller clears it when the whole call ends
        steps++;
        final long code = print.code();
        heard[MIN_STEP] = print.step();
        heard[MAX_STEP] = print.step();
        heard[MIN_CODE] = code;
        heard[MAX_CODE] = code;
        heard[MIN_SHAPE] = print.shape();
        heard[MAX_SHAPE] = print.shape();
        for (int k = 0, distance = 1; distance < size; k++, distance <<= 1)
        {
            final int tag = barrierTag(k, print.step());
            System.arraycopy(heard, 0, token, 0, token.length);
            // Isend: the multicore device's sends are synchronous, and every rank sends before it receives.
            final int to = (rank + distance) % size;
            final Request sent = MpjCarrier.call(() -> comm().Isend(token, 0, token.length, MPI.LONG, to, tag));
            final int from = (rank - distance + size) % size;
            if (!awaitMessage(print, from, tag, shield, giveWay))
            {
                return false;
            }
            MpjCarrier.run(() -> comm().Recv(received, 0, received.length, MPI.LONG, from, tag));
            heard[MIN_STEP] = Math.min(heard[MIN_STEP], received[MIN_STEP]);
            heard[MAX_STEP] = Math.max(heard[MAX_STEP], received[MAX_STEP]);
            heard[MIN_CODE] = Math.min(heard[MIN_CODE], received[MIN_CODE]);
            heard[MAX_CODE] = Math.max(heard[MAX_CODE], received[MAX_CODE]);
            heard[MIN_SHAPE] = Math.min(heard[MIN_SHAPE], received[MIN_SHAPE]);
            heard[MAX_SHAPE] = Math.max(heard[MAX_SHAPE], received[MAX_SHAPE]);
            // Not Wait(): the multicore device throws when a thread is interrupted inside it.
            if (null == giveWay)
            {
                await(print, () -> isDone(sent), shield);
            }
            else if (!await(print.call(), () -> isDone(sent), giveWay::getAsBoolean, shield))
            {
                return false;
            }
        }
        if (heard[MIN_STEP] != heard[MAX_STEP] || heard[MIN_CODE] != heard[MAX_CODE] ||
            heard[MIN_SHAPE] != heard[MAX_SHAPE])
        {
            throw Fingerprint.mismatch(members.name(), rank, gatherPrints(print, shield));
        }
        return true;
    }

    /**
     * The tag of round {@code round} of the barrier that starts the collective at step {@code step}. The step's
     * parity is in it, so a rank that waits in a barrier made elsewhere at step s tells a collective of step s
     * that waits for it (whose first message has s's parity; {@link #collectiveWaiting}) from the next collective
     * of a rank that already left that barrier (step s + 1). No rank can be two steps ahead of a waiting one, as
     * each collective needs every rank.
     *
     * @param round the round, from 0; below 31, as a communicator has fewer than 2^31 ranks.
     * @param step  the collective's step.
     * @return a tag from {@link #BARRIER_TAG} to below {@link #MISMATCH_TAG}.
     */
    static int barrierTag(final int round, final long step)
    {
        return BARRIER_TAG + 2 * round + (int)(step & 1);
    }

    /**
     * Every rank's fingerprint, by a second dissemination whose messages hold all a rank has heard of: every
     * rank comes here together, once the barrier showed that the fingerprints differ.
     */
    private Fingerprint[] gatherPrints(final Fingerprint print, final InterruptShield shield) throws MPIException
    {
        final long unknown = -1;
        final long[] all = new long[PRINT_LONGS * size];
        java.util.Arrays.fill(all, unknown);
        all[PRINT_LONGS * rank] = print.step();
        all[PRINT_LONGS * rank + 1] = print.code();
        all[PRINT_LONGS * rank + 2] = print.shape();
        final long[] incoming = new long[all.length];
        for (int k = 0, distance = 1; distance < size; k++, distance <<= 1)
        {
            final int tag = MISMATCH_TAG + k;
            final long[] outgoing = all.clone();
            final int to = (rank + distance) % size;
            final Request sent = MpjCarrier.call(() -> comm().Isend(outgoing, 0, outgoing.length, MPI.LONG, to, tag));
            final int from = (rank - distance + size) % size;
            awaitMessage(print, from, tag, shield);
            MpjCarrier.run(() -> comm().Recv(incoming, 0, incoming.length, MPI.LONG, from, tag));
            for (int i = 0; i < all.length; i += PRINT_LONGS)
            {
                if (all[i] == unknown && incoming[i] != unknown)
                {
                    System.arraycopy(incoming, i, all, i, PRINT_LONGS);
                }
            }
            await(print, () -> isDone(sent), shield);
        }
        final Fingerprint[] prints = new Fingerprint[size];
        for (int r = 0; r < size; r++)
        {
            prints[r] = Fingerprint.decode(all[PRINT_LONGS * r], all[PRINT_LONGS * r + 1], all[PRINT_LONGS * r + 2]);
        }
        return prints;
    }

    /** Whether {@code sent} has been received; under the multicore device's lock, which marks it there. */
    private static boolean isDone(final Request sent) throws MPIException
    {
        synchronized (SMPDEV_LOCK)
        {
            return null != MpjCarrier.poll(sent::Test);
        }
    }

    /** {@code Iprobe} under the multicore device's lock: its own iprobe reads the queues without it. */
    private Status iprobe(final int source, final int tag) throws MPIException
    {
        synchronized (SMPDEV_LOCK)
        {
            return MpjCarrier.poll(() -> comm().Iprobe(source, tag));
        }
    }

    private static Object smpdevLock()
    {
        try
        {
            return Class.forName("xdev.smpdev.SMPDeviceImpl", false, MPI.class.getClassLoader());
        }
        catch (final ClassNotFoundException ex)
        {
            return new Object(); // no multicore device here: the lock only orders this process's own probes
        }
    }

    /**
     * Waits, parked and checking for failed ranks, until a message from {@code source} with {@code tag} waits; in
     * a collective ({@code print} not null), throws when {@code source} has finished without sending it.
     */
    private void awaitMessage(final Fingerprint print, final int source, final int tag, final InterruptShield shield)
        throws MPIException
    {
        awaitMessage(print, source, tag, shield, null);
    }

    /**
     * {@link #awaitMessage(Fingerprint, int, int, InterruptShield)}, which also ends when {@code giveWay} (when not
     * null) says so.
     *
     * @return true when the message waits; false when {@code giveWay} said so first.
     */
    private boolean awaitMessage(final Fingerprint print, final int source, final int tag,
        final InterruptShield shield, final java.util.function.BooleanSupplier giveWay) throws MPIException
    {
        final Probe arrived = () -> null != iprobe(source, tag);
        if (null == print)
        {
            await("receive()", arrived, null, shield);
            return true;
        }
        final Probe gone = null == giveWay ? () -> members.hasFinished(source) :
            () -> giveWay.getAsBoolean() || members.hasFinished(source);
        if (await(print.call(), arrived, gone, shield))
        {
            return true;
        }
        if (null != giveWay && giveWay.getAsBoolean())
        {
            return false;
        }
        throw members.finishedWithout(source, worldRank, print);
    }

    /** Something MPJ can be asked without blocking. */
    @FunctionalInterface
    private interface Probe
    {
        boolean met() throws MPIException;
    }

    /** Waits until {@code done} is met: as the API's Backoff, spins, then yields the core, then parks,
     *  checking for failed ranks once parking. */
    private void await(final Fingerprint print, final Probe done, final InterruptShield shield) throws MPIException
    {
        await(print.call(), done, null, shield);
    }

    /**
     * Waits until {@code done} is met: as the API's Backoff, spins, then yields the core, then parks, checking for
     * failed ranks and {@code gone} (when not null) once parking.
     *
     * @return true when {@code done} was met, false when {@code gone} was met first.
     */
    private boolean await(final String op, final Probe done, final Probe gone, final InterruptShield shield)
        throws MPIException
    {
        int idle = 0;
        long parkNanos = 1_000;
        while (!done.met())
        {
            if (++idle < SPINS)
            {
                Thread.onSpinWait();
                continue;
            }
            if (idle < SPINS + YIELDS && !shield.interrupted())
            {
                Thread.yield();
                continue;
            }
            shield.park(parkNanos);
            parkNanos = Math.min(parkNanos * 2, MAX_PARK_NANOS);
            final RankFailedException failure = JobStatus.failure(op, worldRank);
            if (null != failure && !done.met())
            {
                throw failure;
            }
            if (null != gone && gone.met())
            {
                return done.met();
            }
        }
        return true;
    }

    @Override
    public void broadcast(final Object array, final int offset, final int count, final int root)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            arrive(Fingerprint.broadcast(steps, array, count, root), shield);
            MpjCarrier.run(() -> comm().Bcast(array, offset, count, type(array), root));
        }
        catch (final MPIException ex)
        {
            throw failed("broadcast()", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    @Override
    public void allGather(final Object send, final int count, final Object receive)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            arrive(Fingerprint.of(steps, Collective.ALL_GATHER, send, count), shield);
            MpjCarrier.run(() -> comm().Allgather(send, 0, count, type(send), receive, 0, count, type(receive)));
        }
        catch (final MPIException ex)
        {
            throw failed("allGather()", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    @Override
    public void allReduce(final Object send, final Object receive, final int count, final ReduceOp op)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            arrive(Fingerprint.allReduce(steps, send, count, op), shield);
            MpjCarrier.run(() -> comm().Allreduce(send, 0, receive, 0, count, type(send), op(op)));
        }
        catch (final MPIException ex)
        {
            throw failed("allReduce()", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    /**
     * Leaves the barrier that starts it, and only that: once every rank has arrived, MPJ's reduction runs to its
     * end. A rank that left has its step counted and may have sent messages no one receives.
     */
    @Override
    public boolean allReduceUnless(final Object send, final Object receive, final int count, final ReduceOp op,
        final java.util.function.BooleanSupplier giveWay)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            if (!arrive(Fingerprint.allReduce(steps, send, count, op), shield, giveWay))
            {
                return false;
            }
            MpjCarrier.run(() -> comm().Allreduce(send, 0, receive, 0, count, type(send), op(op)));
            return true;
        }
        catch (final MPIException ex)
        {
            throw failed("allReduce()", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    @Override
    public void send(final Object array, final int offset, final int count, final int dest, final int tag)
    {
        if (dest == rank)
        {
            comm();
            final Object copy = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), count);
            System.arraycopy(array, offset, copy, 0, count);
            synchronized (toSelf)
            {
                toSelf.computeIfAbsent(tag, t -> new ArrayDeque<>()).add(copy);
            }
            return;
        }
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            MpjCarrier.run(() -> comm().Send(array, offset, count, type(array), dest, tag));
        }
        catch (final MPIException ex)
        {
            throw failed("send()", ex);
        }
        finally
        {
            shield.lower();
        }
    }

    @Override
    public RankFailedException failedMember(final String op)
    {
        final RankFailedException failure = JobStatus.failure(op, worldRank);
        return null != failure ? failure : members.anyFinished(op, worldRank);
    }

    @Override
    public boolean probe(final int source, final int tag)
    {
        if (source == rank || source < 0 && hasOwn(tag))
        {
            return hasOwn(tag);
        }
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            return null != iprobe(source < 0 ? MPI.ANY_SOURCE : source, tag);
        }
        catch (final MPIException ex)
        {
            throw failed("probe()", ex);
        }
        finally
        {
            shield.lower();
        }
    }

    /** {@link #collectiveWaiting} can tell: barriers across nodes may wait in node memory. */
    @Override
    public boolean tellsCollectiveWaiting()
    {
        return true;
    }

    /**
     * Whether a collective of step {@code step} waits for this rank: every collective starts with the barrier
     * whose first round's message goes from each rank to the next, so this looks for that message, from the rank
     * before this one, with {@code step}'s parity in its tag ({@link #barrierTag}).
     */
    @Override
    public boolean collectiveWaiting(final long step)
    {
        if (size < 2 || closed)
        {
            return false;
        }
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            return null != iprobe((rank - 1 + size) % size, barrierTag(0, step));
        }
        catch (final MPIException ex)
        {
            throw failed("barrier()", ex);
        }
        finally
        {
            shield.lower();
        }
    }

    private boolean hasOwn(final int tag)
    {
        synchronized (toSelf)
        {
            final ArrayDeque<Object> queue = toSelf.get(tag);
            return null != queue && !queue.isEmpty();
        }
    }

    @Override
    public int receive(final Object array, final int offset, final int count, final int source, final int tag)
    {
        if (source == rank || source < 0 && hasOwn(tag))
        {
            comm();
            final ArrayDeque<Object> queue;
            final Object message;
            synchronized (toSelf)
            {
                queue = toSelf.get(tag);
                message = null == queue ? null : queue.peek();
            }
            if (null == message)
            {
                throw new PshmemException("receive() on rank " + rank + ": no message from itself with tag " + tag +
                    " was sent; a rank's message to itself must be sent before it is received");
            }
            final int length = java.lang.reflect.Array.getLength(message);
            if (message.getClass() != array.getClass() || length > count)
            {
                throw new PshmemException("receive() on rank " + rank + ": its own message with tag " + tag + " has " +
                    length + " " + message.getClass().getComponentType() + " elements; the receive has room for " +
                    count + " " + array.getClass().getComponentType());
            }
            synchronized (toSelf)
            {
                queue.poll();
            }
            System.arraycopy(message, 0, array, offset, length);
            return length;
        }
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            final int from = source < 0 ? MPI.ANY_SOURCE : source;
            awaitMessage(null, from, tag, shield);
            final Status status = MpjCarrier.call(() -> comm().Recv(array, offset, count, type(array), from, tag));
            return status.Get_count(type(array));
        }
        catch (final MPIException ex)
        {
            throw failed("receive()", ex);
        }
        finally
        {
            shield.lower();
        }
    }

    /**
     * An MPJ {@code Irecv}: MPJ's own reader takes the message off the network into MPJ's buffer (under the
     * rendezvous protocol of large messages, only once the receive is posted) while this rank works on;
     * {@code await()} tests it, spinning, yielding, then parked, and fails when a rank failed; the copy from MPJ's
     * buffer into the array is made by the test that completes it. Messages to itself are received in
     * {@code await()}.
     */
    @Override
    public PostedReceive receiveLater(final Object array, final int offset, final int count, final int source,
        final int tag)
    {
        if (source == rank || source < 0)
        {
            return CommEndpoint.super.receiveLater(array, offset, count, source, tag);
        }
        final Request request;
        final InterruptShield posting = InterruptShield.raise();
        try
        {
            synchronized (SMPDEV_LOCK)
            {
                request = MpjCarrier.call(() -> comm().Irecv(array, offset, count, type(array), source, tag));
            }
        }
        catch (final MPIException ex)
        {
            throw failed("receive()", ex);
        }
        finally
        {
            posting.lower();
        }
        return () ->
        {
            final Status[] status = new Status[1];
            final InterruptShield shield = InterruptShield.raise();
            try
            {
                // Tested once more after a failure is seen: a completed request must not be tested again.
                await("receive()", () -> null != status[0] || null != (status[0] = test(request)), null, shield);
                return status[0].Get_count(type(array));
            }
            catch (final MPIException ex)
            {
                throw failed("receive()", ex);
            }
            finally
            {
                shield.lower();
            }
        };
    }

    /** {@code Test} under the multicore device's lock, as {@link #isDone}. */
    private static Status test(final Request request) throws MPIException
    {
        synchronized (SMPDEV_LOCK)
        {
            return MpjCarrier.poll(request::Test);
        }
    }

    @Override
    public CommEndpoint split(final int color, final int key)
    {
        final InterruptShield shield = InterruptShield.raise();
        try
        {
            final long step = steps;
            arrive(Fingerprint.of(step, Collective.SPLIT), shield);
            final Intracomm child = MpjCarrier.call(() -> comm().Split(color < 0 ? MPI.UNDEFINED : color, key));
            return color < 0 || null == child ? null :
                new MpjEndpoint(child, worldRank, nodeName, true, members.childId(step, color), activity);
        }
        catch (final MPIException ex)
        {
            throw failed("split()", ex);
        }
        finally
        {
            activity.exit();
            shield.lower();
        }
    }

    @Override
    public CommEndpoint splitByNode()
    {
        // Colour = index of the first rank with the same node name, so every node gets a distinct colour.
        final List<String> names = NodeNames.gather(this, nodeName);
        return split(names.indexOf(nodeName), rank);
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            if (freeable)
            {
                members.leave(worldRank); // members waiting for this rank in a collective fail instead
                try
                {
                    MpjCarrier.run(() -> comm.Free());
                }
                catch (final MPIException ex)
                {
                    throw failed("close()", ex);
                }
            }
        }
    }

    private Intracomm comm()
    {
        if (closed)
        {
            throw new IllegalStateException("communicator endpoint of world rank " + worldRank + " is closed");
        }
        return comm;
    }

    private PshmemException failed(final String op, final MPIException ex)
    {
        return new PshmemException(op + " on rank " + rank + " (world rank " + worldRank + ") failed in MPJ Express: " +
            ex, ex);
    }

    static Datatype type(final Object array)
    {
        if (array instanceof double[])
        {
            return MPI.DOUBLE;
        }
        if (array instanceof long[])
        {
            return MPI.LONG;
        }
        if (array instanceof int[])
        {
            return MPI.INT;
        }
        if (array instanceof float[])
        {
            return MPI.FLOAT;
        }
        if (array instanceof short[])
        {
            return MPI.SHORT;
        }
        if (array instanceof byte[])
        {
            return MPI.BYTE;
        }
        throw new IllegalArgumentException("not a primitive array of a supported type: " + array);
    }

    private static Op op(final ReduceOp op)
    {
        switch (op)
        {
            case SUM: return MPI.SUM;
            case MIN: return MPI.MIN;
            default: return MPI.MAX;
        }
    }
}
