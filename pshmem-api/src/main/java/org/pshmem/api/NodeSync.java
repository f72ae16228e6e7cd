package org.pshmem.api;

import static org.pshmem.api.ArrayControlLayout.ARRIVALS;
import static org.pshmem.api.ArrayControlLayout.GENERATION;
import static org.pshmem.api.ArrayControlLayout.GIVE_WAY;
import static org.pshmem.api.ArrayControlLayout.RESULT;
import static org.pshmem.api.ArrayControlLayout.TOKEN;
import static org.pshmem.api.ArrayControlLayout.WRITTEN;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

import org.pshmem.spi.CommEndpoint;

/**
 * Synchronisation of the ranks of one node through the control part of a shared segment, with atomics and
 * no messages; across nodes, only the node leaders (node-rank 0) exchange messages. This is what lets
 * {@code set()} on a one-node job run with no message at all.
 *
 * <p>On one node a reduction is one barrier: every rank folds its values into shared minimum and maximum
 * accumulators with compare-and-set, and the last rank to arrive resets the other set of accumulators, which
 * the next reduction uses. Across nodes, node-rank 0 gathers its node's values from per-rank slots, the
 * leaders reduce over messages (one reduction of a fixed length carrying minima and maxima), and a second
 * barrier publishes the result. The first value of every reduction is the array call the rank posted on its
 * communicator's {@link CallBoard}; when it differs, the reduction fails on every rank, and across nodes the
 * leaders gather every rank's call and pass the message to their node through the payload.
 *
 * <p>The control block's layout, and its header checked when a rank attaches, are {@link ArrayControlLayout}'s.
 */
final class NodeSync
{
    static final int MAX_VALUES = ArrayControlLayout.MAX_VALUES;
    static final int PAYLOAD_BYTES = ArrayControlLayout.PAYLOAD_BYTES;

    /** The outcome of {@link #minMax}: the minimum and maximum over every rank of each value, in the order given. */
    static final class MinMax
    {
        private final long[] extremes; // as laid out in node memory: min then max of the code, then of each value

        private MinMax(final long[] extremes)
        {
            this.extremes = extremes;
        }

        long min(final int value)
        {
            return extremes[2 * value + 2];
        }

        long max(final int value)
        {
            return extremes[2 * value + 3];
        }

        private boolean sameCode()
        {
            return extremes[0] == extremes[1];
        }

        /** @return true when every rank gave the same value number {@code value}. */
        boolean same(final int value)
        {
            return min(value) == max(value);
        }
    }

    private final NodeBuffer control;
    private final CommEndpoint nodeEp;
    private final CommEndpoint leaders;
    private final boolean oneNode;
    private CallBoard board;
    private long reductions;
    private long writes;
    private boolean handOver; // in communicatorBarrier(): a patient wait, which ranks in endpoint collectives end
    private CommEndpoint barrierEp; // in communicatorBarrier() across nodes: the communicator's endpoint
    private long barrierStep; // and the barrier's step on it

    /**
     * @param control  the segment's control part, at least {@link #controlBytes(int)} bytes.
     * @param nodeEp   the ranks of this node.
     * @param leaders  the node leaders, one per node, on node-rank 0 when there is more than one node; else null.
     * @param oneNode  true when every rank is on this node.
     */
    NodeSync(final ByteBuffer control, final CommEndpoint nodeEp, final CommEndpoint leaders, final boolean oneNode)
    {
        this.control = new NodeBuffer(control);
        this.nodeEp = nodeEp;
        this.leaders = leaders;
        this.oneNode = oneNode;
    }

    static int controlBytes(final int nodeSize)
    {
        return ArrayControlLayout.bytes(nodeSize);
    }

    /**
     * Makes waits here also look at {@code board} while they park, and fail when ranks wait in different array
     * collectives of the communicator.
     *
     * @param board the communicator's board of array calls, or null for none.
     */
    void watch(final CallBoard board)
    {
        this.board = board;
    }

    /**
     * On the creating rank, before any other rank attaches: prepares the control block and writes the creator's
     * random token, by which attaching ranks check they map the same memory, and the header last, by which they
     * check it is this layout.
     */
    static void writeToken(final ByteBuffer control, final long token)
    {
        final NodeBuffer buffer = new NodeBuffer(control);
        resetAccumulators(buffer, ArrayControlLayout.accumulators(0));
        resetAccumulators(buffer, ArrayControlLayout.accumulators(1));
        buffer.putLongVolatile(TOKEN, token);
        ArrayControlLayout.HEADER.stamp(buffer, 0);
    }

    /**
     * On a rank that attaches, before anything else is read.
     *
     * @return why {@code control} is not the control block of an array of this pshmem version, or null when it is.
     */
    static String attachProblem(final ByteBuffer control)
    {
        return ArrayControlLayout.HEADER.problem(new NodeBuffer(control), 0);
    }

    private static void resetAccumulators(final NodeBuffer control, final int at)
    {
        for (int v = 0; v < MAX_VALUES; v++)
        {
            control.putLongVolatile(at + 16 * v, Long.MAX_VALUE);
            control.putLongVolatile(at + 16 * v + 8, Long.MIN_VALUE);
        }
    }

    static long readToken(final ByteBuffer control)
    {
        return new NodeBuffer(control).getLongVolatile(TOKEN);
    }

    /**
     * Numbers this rank's writes ({@code set()}, {@code assign()}) through this synchronisation: every rank of
     * the node makes the same writes in the same order, so the numbers agree.
     *
     * @return the number of the write being made, from 1.
     */
    long nextWrite()
    {
        return ++writes;
    }

    /**
     * The node's copying rank: its copy of write {@code write} into node memory is complete.
     *
     * <p>Memory consistency effects: actions before this call happen-before actions after
     * {@link #awaitWritten} of the same write returns on any rank of the node.
     */
    void publishWritten(final long write)
    {
        control.putLongOrdered(WRITTEN, write);
    }

    /**
     * The node's other ranks: returns once the copying rank published write {@code write}; only that rank is
     * waited for, not a barrier of all.
     */
    void awaitWritten(final String op, final long write)
    {
        await(op, () -> control.getLongVolatile(WRITTEN) >= write);
    }

    /**
     * Returns when every rank of this node has called it.
     */
    void nodeBarrier(final String op)
    {
        nodeBarrier(op, -1);
    }

    /** A barrier whose last arriving rank first resets the accumulators at {@code resetAt} (when not -1). */
    private void nodeBarrier(final String op, final int resetAt)
    {
        final long generation = control.getLongVolatile(GENERATION);
        final long arrived = control.getAndAddLong(ARRIVALS, 1L) + 1;
        if (arrived == nodeEp.size())
        {
            if (resetAt >= 0)
            {
                resetAccumulators(control, resetAt);
            }
            control.putLongVolatile(ARRIVALS, 0L);
            control.putLongVolatile(GENERATION, generation + 1);
            return;
        }
        await(op, () -> control.getLongVolatile(GENERATION) != generation);
    }

    /**
     * A communicator's {@code barrier()} in node memory, when every rank of the communicator is on this node: a
     * {@link #minMax} of no values, so it carries the call this rank posted on the board and fails, naming every
     * rank's call, when it meets another agreement in node memory (such as an array's creation). The ranks of a
     * node wait in it spinning briefly, then yielding, then parked ({@link Backoff#patient()}).
     *
     * @param op the barrier, as messages name it, e.g. {@code barrier() (step 3)}.
     * @return true when every rank came; false, without completing, when ranks of this node posted communicator
     * collectives at this call instead (such as {@code allReduce()}): they wait in the communicator's endpoint,
     * where the caller meets them with its own barrier, so the calls are compared there and every rank fails.
     * @throws PshmemException when ranks of this node are in array calls instead, naming every rank's call.
     * @throws RankFailedException when a rank of this node failed or left.
     */
    boolean communicatorBarrier(final String op)
    {
        if (!oneNode)
        {
            throw new IllegalStateException(op + ": the communicator spans several nodes");
        }
        return barrier(op);
    }

    /**
     * A communicator's {@code barrier()} across nodes, as {@link #communicatorBarrier(String)} on one: the ranks of
     * each node meet in node memory, and only the node leaders exchange messages (the reduction that array calls
     * make, so a barrier against an array call of another node fails on every rank naming every call). It gives
     * way, returning false, when a rank waiting in it learns that ranks are in other collectives of the
     * communicator's endpoint at this step, which would wait there for it forever: this node's board shows it,
     * or {@code ep} has such a collective waiting for this rank ({@link CommEndpoint#collectiveWaiting}), or a
     * rank of this node gave way already (a word of node memory); the caller then meets them with {@code ep}'s
     * barrier, where every rank fails naming every call. Ranks of other nodes follow: the first message of that
     * barrier reaches one of their ranks waiting here.
     *
     * @param op   the barrier, as messages name it.
     * @param ep   the communicator's endpoint.
     * @param step the barrier's step on it ({@link CommEndpoint#enterBarrierElsewhere()}).
     * @return true when every rank came; false when it gave way, or at once when {@code ep} cannot tell that
     * collectives wait ({@link CommEndpoint#tellsCollectiveWaiting()}): then the endpoint's barrier is the barrier.
     */
    boolean communicatorBarrier(final String op, final CommEndpoint ep, final long step)
    {
        if (oneNode)
        {
            return barrier(op);
        }
        if (!ep.tellsCollectiveWaiting())
        {
            return false; // the same on every rank: all go to the endpoint's barrier at this step
        }
        barrierEp = ep;
        barrierStep = step;
        try
        {
            final boolean done = barrier(op);
            if (!done)
            {
                control.putLongVolatile(GIVE_WAY, step + 1); // node-mates still waiting here follow
            }
            return done;
        }
        catch (final RankFailedException gone)
        {
            control.putLongVolatile(GIVE_WAY, step + 1); // the caller goes to the endpoint's barrier too
            throw gone;
        }
        finally
        {
            barrierEp = null;
        }
    }

    /** Across nodes: whether a rank of this barrier should give way to the endpoint's barrier. */
    private boolean givingWay()
    {
        return control.getLongVolatile(GIVE_WAY) == barrierStep + 1 || barrierEp.collectiveWaiting(barrierStep);
    }

    private boolean barrier(final String op)
    {
        handOver = true;
        try
        {
            minMax(op);
            return true;
        }
        catch (final HandOver ignored)
        {
            return false;
        }
        finally
        {
            handOver = false;
        }
    }

    /**
     * Collective over every rank of every node: the minimum and maximum of each value. The array call this rank
     * posted on the communicator's board travels with the values (first, so every array call's exchange has it
     * in the same place), so ranks in different array calls that meet here all fail, naming every rank's call.
     *
     * @param values at most {@link #MAX_VALUES} - 1 values.
     * @return the minimum and maximum of each value over every rank.
     * @throws PshmemException on every rank, when the ranks' array calls differ.
     */
    MinMax minMax(final String op, final long... values)
    {
        final int count = values.length + 1;
        final long code = null == board ? 0 : board.posted();
        if (oneNode)
        {
            final int parity = (int)(reductions++ & 1);
            final int at = ArrayControlLayout.accumulators(parity);
            fold(at, code);
            for (int v = 1; v < count; v++)
            {
                fold(at + 16 * v, values[v - 1]);
            }
            nodeBarrier(op, ArrayControlLayout.accumulators(1 - parity));
            final MinMax result = new MinMax(read(at, count));
            if (!result.sameCode())
            {
                throw board.mismatchOfNode();
            }
            return result;
        }
        final int slot = ArrayControlLayout.slot(nodeEp.rank());
        control.putLongOrdered(slot, code);
        for (int v = 1; v < count; v++)
        {
            control.putLongOrdered(slot + 8 * v, values[v - 1]);
        }
        nodeBarrier(op);
        if (nodeEp.rank() == 0)
        {
            reduceAsLeader(count);
        }
        nodeBarrier(op);
        final MinMax result = new MinMax(read(RESULT, count));
        if (!result.sameCode())
        {
            throw new PshmemException(new String(readPayload(), StandardCharsets.UTF_8));
        }
        return result;
    }

    /**
     * Node-rank 0 of a node of several: reduces its node's slots, then with the other nodes' leaders, and
     * writes the result; when the array calls differ, also the message naming them, for its node's ranks.
     */
    private void reduceAsLeader(final int count)
    {
        // Fixed length, so every array call's leaders exchange the same shape; max(a, b) is ~min(~a, ~b), so
        // one reduction carries both.
        final long[] extremes = new long[2 * MAX_VALUES];
        Arrays.fill(extremes, Long.MAX_VALUE);
        for (int r = 0; r < nodeEp.size(); r++)
        {
            for (int v = 0; v < count; v++)
            {
                final long value = control.getLongVolatile(ArrayControlLayout.slot(r) + 8 * v);
                extremes[v] = Math.min(extremes[v], value);
                extremes[MAX_VALUES + v] = Math.min(extremes[MAX_VALUES + v], ~value);
            }
        }
        if (null != leaders)
        {
            if (null == barrierEp)
            {
                leaders.allReduce(extremes.clone(), extremes, extremes.length, ReduceOp.MIN);
            }
            else if (!leaders.allReduceUnless(extremes.clone(), extremes, extremes.length, ReduceOp.MIN,
                this::givingWay))
            {
                // A leader missing from this exchange is in another collective: no leader completes it.
                throw HandOver.INSTANCE;
            }
        }
        for (int v = 0; v < count; v++)
        {
            control.putLongOrdered(RESULT + 16 * v, extremes[v]);
            control.putLongOrdered(RESULT + 16 * v + 8, ~extremes[MAX_VALUES + v]);
        }
        if (extremes[0] != ~extremes[MAX_VALUES])
        {
            // Every leader sees the same extremes, so all of them gather every rank's call here.
            final long[] codes = board.codesHere();
            if (null != leaders)
            {
                leaders.allReduce(codes.clone(), codes, codes.length, ReduceOp.MAX);
            }
            writePayload(board.mismatchOfAll(codes).getMessage().getBytes(StandardCharsets.UTF_8));
        }
    }

    private long[] read(final int at, final int count)
    {
        final long[] extremes = new long[2 * count];
        for (int i = 0; i < extremes.length; i++)
        {
            extremes[i] = control.getLongVolatile(at + 8 * i);
        }
        return extremes;
    }

    private void fold(final int at, final long value)
    {
        foldMin(at, value);
        foldMax(at + 8, value);
    }

    /**
     * Node-rank 0's bytes to every rank of the node, through node memory.
     *
     * @param payload on node-rank 0, at most {@value #PAYLOAD_BYTES} - 8 bytes; ignored elsewhere.
     * @return node-rank 0's bytes.
     */
    byte[] broadcastFromLeader(final String op, final byte[] payload)
    {
        if (nodeEp.rank() == 0)
        {
            if (payload.length > PAYLOAD_BYTES - 8)
            {
                throw new IllegalArgumentException(op + ": " + payload.length + " bytes do not fit the node payload");
            }
            writePayload(payload);
        }
        nodeBarrier(op);
        return readPayload();
    }

    /** Node-rank 0 writes bytes for its node's ranks, cut to what fits; a barrier must follow. */
    private void writePayload(final byte[] payload)
    {
        final int at = ArrayControlLayout.payload(nodeEp.size());
        final int length = Math.min(payload.length, PAYLOAD_BYTES - 8);
        control.slice(at + 8, length).put(payload, 0, length);
        control.putLongOrdered(at, length); // released after the bytes
    }

    private byte[] readPayload()
    {
        final int at = ArrayControlLayout.payload(nodeEp.size());
        final byte[] received = new byte[(int)control.getLongVolatile(at)];
        control.slice(at + 8, received.length).get(received);
        return received;
    }

    private void foldMin(final int at, final long value)
    {
        long current = control.getLongVolatile(at);
        while (value < current && !control.compareAndSetLong(at, current, value))
        {
            current = control.getLongVolatile(at);
        }
    }

    private void foldMax(final int at, final long value)
    {
        long current = control.getLongVolatile(at);
        while (value > current && !control.compareAndSetLong(at, current, value))
        {
            current = control.getLongVolatile(at);
        }
    }

    /** Uninterruptible: a set() or barrier is collective, so an interrupt is kept for after it. */
    private void await(final String op, final BooleanSupplier done)
    {
        final Backoff backoff = handOver ? Backoff.patient() : new Backoff(); // a barrier may wait long
        try
        {
            while (!done.getAsBoolean())
            {
                backoff.idle();
                if (backoff.parking())
                {
                    final RankFailedException failure = nodeEp.failedMember(op);
                    if (null != failure && !done.getAsBoolean())
                    {
                        throw failure;
                    }
                    if (null != barrierEp && givingWay() && !done.getAsBoolean())
                    {
                        throw HandOver.INSTANCE;
                    }
                    final PshmemException mismatch = null == board ? null : board.mismatchHere();
                    if (null != mismatch && !done.getAsBoolean())
                    {
                        if (handOver && board.othersInEndpointCollectives())
                        {
                            throw HandOver.INSTANCE;
                        }
                        throw mismatch;
                    }
                }
            }
        }
        finally
        {
            backoff.restoreInterrupt();
        }
    }

    /** Ends {@link #communicatorBarrier}'s wait when the other ranks' calls go through the endpoint. */
    private static final class HandOver extends RuntimeException
    {
        private static final long serialVersionUID = 1L;
        static final HandOver INSTANCE = new HandOver();

        private HandOver()
        {
            super(null, null, false, false);
        }
    }
}
