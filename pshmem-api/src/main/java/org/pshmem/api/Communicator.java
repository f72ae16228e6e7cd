package org.pshmem.api;

import java.nio.charset.StandardCharsets;

import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.Fingerprint;
import org.pshmem.spi.NodeMemory;

/**
 * A group of ranks with MPI-style operations. Methods marked collective must be called by every rank of the
 * communicator in the same order; they return on a rank once its part is done. Arguments are checked on the
 * calling rank before any communication, and a bad argument throws {@link IllegalArgumentException} naming
 * the operation, the problem and the rank. When another rank fails or leaves while this one waits for it,
 * the call throws {@link RankFailedException} naming that rank.
 *
 * <p>Array arguments of {@link #broadcast(Object, int)}, {@link #send(Object, int, int)} and
 * {@link #receive(Object, int, int)} are Java primitive arrays: {@code byte[]}, {@code short[]},
 * {@code int[]}, {@code long[]}, {@code float[]} or {@code double[]}.
 *
 * <p>Methods not marked collective are not: {@code send} and {@code receive} are point-to-point between two
 * ranks, and the accessors ({@code rank()}, {@code size()}, {@code worldRank()}) are local.
 *
 * <p>A communicator is used by one thread at a time. The world and self communicators belong to
 * {@link Pshmem}; communicators made by {@link #split(int, int)} and {@link #splitByNode()} belong to the
 * caller, who closes them.
 *
 * <p>Interrupts: no method here can be interrupted, as in MPI: a rank interrupted while it waits in a
 * collective or a {@code receive} keeps waiting, parked (not spinning), and returns with its interrupt flag
 * set. The transport keeps the interrupt away from its own I/O (under MPJ Express an interrupted write would
 * close a connection for good).
 */
public final class Communicator implements AutoCloseable
{
    /** Colour for {@link #split(int, int)} by which a rank joins no new communicator. */
    public static final int UNDEFINED = CommEndpoint.UNDEFINED;

    /**
     * The largest tag {@link #send} and {@link #receive} accept (MPI's {@code MPI_TAG_UB} is at least this);
     * larger tags are the library's own.
     */
    public static final int MAX_TAG = (1 << 24) - 1;

    private final CommEndpoint endpoint;
    private final Pshmem runtime;
    private final boolean owned;
    private NodeGroups nodeGroups;
    private SharedArray syncArray;
    private CallBoard callBoard;
    private NodeArena nodeArena;
    private int arraysCreated;
    private boolean syncChecked;
    private boolean barrierChecked;
    private boolean barrierInNodeMemory;
    private Sequential.Chain sequentialChain;
    private boolean closed;

    Communicator(final CommEndpoint endpoint, final Pshmem runtime, final boolean owned)
    {
        this.endpoint = endpoint;
        this.runtime = runtime;
        this.owned = owned;
    }

    /**
     * Returns this rank's index, from 0 to {@code size() - 1}.
     *
     * @return this rank's index, from 0 to {@code size() - 1}.
     */
    public int rank()
    {
        return endpoint.rank();
    }

    /**
     * Returns the number of ranks.
     *
     * @return number of ranks.
     */
    public int size()
    {
        return endpoint.size();
    }

    /**
     * Returns this rank's index in the world communicator.
     *
     * @return this rank's index in the world communicator.
     */
    public int worldRank()
    {
        return endpoint.worldRank();
    }

    /**
     * Collective: returns when every rank has called it. Every barrier after the first (every barrier, once the
     * communicator has made arrays) waits in node memory: a rank spins briefly, yields, then parks. On one node
     * it sends no message; across nodes only the node leaders exchange messages.
     */
    public void barrier()
    {
        final CommEndpoint ep = endpoint();
        post(Fingerprint.Collective.BARRIER, null, null);
        if (!barrierChecked && null != syncArray)
        {
            // Arrays made the node segment already, on every rank alike: even the first barrier can wait there.
            barrierChecked = true;
            barrierInNodeMemory = size() > 1;
        }
        if (barrierInNodeMemory)
        {
            final Fingerprint print = ep.enterBarrierElsewhere();
            boolean done = false;
            try
            {
                done = syncArray.sync().communicatorBarrier(print.toString(), ep, print.step());
            }
            catch (final RankFailedException gone)
            {
                // The endpoint's barrier names a rank that failed or left as it always did (under MPJ it waits a
                // little, so a rank that failed is named as failed and not as finished): it fails there too.
            }
            finally
            {
                ep.exitBarrierElsewhere(done);
            }
            if (done)
            {
                return;
            }
            // Ranks of this node wait in other collectives of the endpoint, or a rank is gone: meet the others
            // there, where the calls are compared and every rank fails naming them.
        }
        ep.barrier();
        if (!barrierChecked)
        {
            barrierChecked = true;
            // Every rank is in its first barrier here, as the barrier above checked: the node segment that later
            // barriers wait in (the one arrays use) can be made now, collectively, when it does not exist yet.
            if (size() > 1)
            {
                arraySync();
                barrierInNodeMemory = null != syncArray;
            }
        }
    }

    /** Collective: the barrier of the library's objects (creation, close), which never completes a user's. */
    void objectBarrier()
    {
        final CommEndpoint ep = endpoint();
        post(Fingerprint.Collective.OBJECT_BARRIER, null, null);
        ep.objectBarrier();
    }

    /** Posts a collective on the board of array calls, once there is one, so array calls can tell it apart. */
    private void post(final Fingerprint.Collective collective, final Object array, final ReduceOp op)
    {
        if (null != callBoard)
        {
            callBoard.postCollective(Fingerprint.callCode(collective, array, op));
        }
    }

    /**
     * Collective: copies the root's array into the same-length array of every rank.
     *
     * @param array a primitive array, of the same type and length on every rank.
     * @param root  rank whose array is sent.
     */
    public void broadcast(final Object array, final int root)
    {
        final CommEndpoint ep = endpoint();
        final int length = arrayLength("broadcast", array);
        checkRank("broadcast", "root", root);
        post(Fingerprint.Collective.BROADCAST, array, null);
        ep.broadcast(array, 0, length, root);
    }

    /**
     * Collective.
     *
     * @param value the value, used on the root only.
     * @param root  rank whose value is returned everywhere.
     * @return the root's value.
     */
    public long broadcast(final long value, final int root)
    {
        final long[] buffer = {value};
        broadcast(buffer, root);
        return buffer[0];
    }

    /**
     * Collective.
     *
     * @param value the value, used on the root only.
     * @param root  rank whose value is returned everywhere.
     * @return the root's value.
     */
    public double broadcast(final double value, final int root)
    {
        final double[] buffer = {value};
        broadcast(buffer, root);
        return buffer[0];
    }

    /**
     * Collective.
     *
     * @param value the value, used on the root only; may be null.
     * @param root  rank whose value is returned everywhere.
     * @return the root's value.
     */
    public String broadcast(final String value, final int root)
    {
        checkRank("broadcast", "root", root);
        final boolean isRoot = rank() == root;
        final byte[] bytes = isRoot && null != value ? value.getBytes(StandardCharsets.UTF_8) : null;
        final int length = (int)broadcast(isRoot ? (null == bytes ? -1 : bytes.length) : 0L, root);
        if (length < 0)
        {
            return null;
        }
        final byte[] buffer = isRoot ? bytes : new byte[length];
        broadcast(buffer, root);
        return new String(buffer, StandardCharsets.UTF_8);
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @param op    the reduction.
     * @return the reduction over all ranks.
     */
    public int allReduce(final int value, final ReduceOp op)
    {
        final int[] buffer = {value};
        allReduce(buffer, op);
        return buffer[0];
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @param op    the reduction.
     * @return the reduction over all ranks.
     */
    public long allReduce(final long value, final ReduceOp op)
    {
        final long[] buffer = {value};
        allReduce(buffer, op);
        return buffer[0];
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @param op    the reduction.
     * @return the reduction over all ranks.
     */
    public double allReduce(final double value, final ReduceOp op)
    {
        final double[] buffer = {value};
        allReduce(buffer, op);
        return buffer[0];
    }

    /**
     * Collective: element-wise reduction, in place.
     *
     * @param values this rank's values, replaced by the reductions; same length on every rank.
     * @param op     the reduction.
     */
    public void allReduce(final int[] values, final ReduceOp op)
    {
        reduceInPlace(values, op);
    }

    /**
     * Collective: element-wise reduction, in place.
     *
     * @param values this rank's values, replaced by the reductions; same length on every rank.
     * @param op     the reduction.
     */
    public void allReduce(final long[] values, final ReduceOp op)
    {
        reduceInPlace(values, op);
    }

    /**
     * Collective: element-wise reduction, in place.
     *
     * @param values this rank's values, replaced by the reductions; same length on every rank.
     * @param op     the reduction.
     */
    public void allReduce(final double[] values, final ReduceOp op)
    {
        reduceInPlace(values, op);
    }

    private void reduceInPlace(final Object values, final ReduceOp op)
    {
        final CommEndpoint ep = endpoint();
        if (null == op)
        {
            throw argument("allReduce", "op is null");
        }
        final int length = arrayLength("allReduce", values);
        final Object send = ElementType.ofArray(values).newArray(length);
        System.arraycopy(values, 0, send, 0, length);
        post(Fingerprint.Collective.ALL_REDUCE, values, op);
        ep.allReduce(send, values, length, op);
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @return every rank's value, in rank order.
     */
    public int[] allGather(final int value)
    {
        return allGather(new int[]{value});
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @return every rank's value, in rank order.
     */
    public long[] allGather(final long value)
    {
        return allGather(new long[]{value});
    }

    /**
     * Collective.
     *
     * @param value this rank's value.
     * @return every rank's value, in rank order.
     */
    public double[] allGather(final double value)
    {
        return allGather(new double[]{value});
    }

    /**
     * Collective: concatenates every rank's array in rank order.
     *
     * @param <A>    the array type, one of {@code byte[]}, {@code short[]}, {@code int[]}, {@code long[]},
     *               {@code float[]} and {@code double[]}.
     * @param values this rank's values, of the same type and length on every rank.
     * @return a new array of the same type with {@code size() * values.length} elements.
     * @throws IllegalArgumentException on this rank when {@code values} is not one of those array types.
     */
    public <A> A allGather(final A values)
    {
        final CommEndpoint ep = endpoint();
        final int length = arrayLength("allGather", values);
        // The result is made from the class of values, so it is an A.
        @SuppressWarnings("unchecked")
        final A result = (A)ElementType.ofArray(values).newArray(Math.multiplyExact(length, ep.size()));
        post(Fingerprint.Collective.ALL_GATHER, values, null);
        ep.allGather(values, length, result);
        return result;
    }

    /**
     * Collective: splits this communicator into one per colour, ranked by key then by rank here.
     *
     * @param color non-negative colour, or {@link #UNDEFINED} to join none.
     * @param key   ordering key.
     * @return this rank's new communicator, owned by the caller, or null for {@link #UNDEFINED}.
     */
    public Communicator split(final int color, final int key)
    {
        final CommEndpoint ep = endpoint();
        if (color < 0 && color != UNDEFINED)
        {
            throw argument("split", "color " + color + " is negative and not UNDEFINED");
        }
        post(Fingerprint.Collective.SPLIT, null, null);
        final CommEndpoint child = ep.split(color, key);
        return null == child ? null : new Communicator(child, runtime, true);
    }

    /**
     * Collective: splits this communicator into groups of ranks that can share memory, one per node.
     *
     * @return this rank's node communicator, owned by the caller.
     */
    public Communicator splitByNode()
    {
        final CommEndpoint ep = endpoint();
        post(Fingerprint.Collective.SPLIT, null, null);
        return new Communicator(ep.splitByNode(), runtime, true);
    }

    /**
     * Sends a whole array to another rank; may return before it is received.
     *
     * @param array a primitive array.
     * @param dest  receiving rank.
     * @param tag   non-negative message tag.
     */
    public void send(final Object array, final int dest, final int tag)
    {
        send(array, 0, arrayLength("send", array), dest, tag);
    }

    /**
     * Sends part of an array to another rank; may return before it is received.
     *
     * @param array  a primitive array.
     * @param offset first element sent.
     * @param count  number of elements sent.
     * @param dest   receiving rank.
     * @param tag    non-negative message tag.
     */
    public void send(final Object array, final int offset, final int count, final int dest, final int tag)
    {
        final CommEndpoint ep = endpoint();
        checkRange("send", array, offset, count);
        checkRank("send", "dest", dest);
        checkTag("send", tag);
        ep.send(array, offset, count, dest, tag);
    }

    /**
     * Receives a message into an array; waits until it arrives.
     *
     * @param array  a primitive array of the sender's element type.
     * @param source sending rank.
     * @param tag    the sender's tag.
     * @return number of elements received.
     */
    public int receive(final Object array, final int source, final int tag)
    {
        return receive(array, 0, arrayLength("receive", array), source, tag);
    }

    /**
     * Receives a message into part of an array; waits until it arrives.
     *
     * @param array  a primitive array of the sender's element type.
     * @param offset where the first element goes.
     * @param count  room for at most this many elements; a longer message is an error.
     * @param source sending rank.
     * @param tag    the sender's tag.
     * @return number of elements received.
     */
    public int receive(final Object array, final int offset, final int count, final int source, final int tag)
    {
        final CommEndpoint ep = endpoint();
        checkRange("receive", array, offset, count);
        checkRank("receive", "source", source);
        checkTag("receive", tag);
        return ep.receive(array, offset, count, source, tag);
    }

    /**
     * Frees a communicator made by a split; on the world and self communicators it does nothing, as they
     * are finalised by {@link Pshmem#close()}. Idempotent and local (involves no other rank).
     */
    @Override
    public void close()
    {
        if (owned && !closed)
        {
            closed = true;
            releaseNodeGroups();
            endpoint.close();
        }
    }

    /**
     * Collective the first time: this communicator's split by node and by node-rank, made once and kept, so
     * arrays created without explicit {@link NodeGroups} do not split again.
     */
    NodeGroups nodeGroups()
    {
        endpoint();
        if (null == nodeGroups)
        {
            nodeGroups = NodeGroups.split(this);
        }
        return nodeGroups;
    }

    /**
     * Collective the first time: synchronisation through a small node segment kept for the communicator, which
     * also holds its {@link CallBoard}, so creating arrays agrees through node memory (and across nodes through
     * the node leaders only). Null while that segment itself is being created.
     */
    NodeSync arraySync()
    {
        if (!syncChecked)
        {
            syncChecked = true; // before creating, so that creation takes the general path
            nodeGroups(); // collective: the split the segment and every later array use
            syncArray = SharedArray.create(this, null, ElementType.INT8, CallBoard.bytes(size()));
            callBoard = new CallBoard(syncArray.rawWindow(), rank(), syncArray.ranksOnThisNode(),
                owned ? "a communicator of " + size() + " ranks" : "the world communicator");
            syncArray.sync().watch(callBoard);
        }
        return null == syncArray ? null : syncArray.sync();
    }

    /** @return this rank's part of the communicator's node arena for small arrays, made when first needed. */
    NodeArena nodeArena()
    {
        if (null == nodeArena)
        {
            nodeArena = new NodeArena(nodeMemory());
        }
        return nodeArena;
    }

    /** @return true when every rank of this communicator is on this node; collective the first time. */
    boolean onOneNode()
    {
        return nodeGroups().node().size() == size();
    }

    /**
     * @return the board on which this communicator's ranks post their array calls, once {@link #arraySync()}
     * made it; else null.
     */
    CallBoard callBoard()
    {
        return callBoard;
    }

    /** @return the number of the array being created on this communicator, from 1, in creation order. */
    int nextArrayNumber()
    {
        return ++arraysCreated;
    }

    /**
     * Collective the first time: the private duplicate over which {@link Sequential} passes turns, made once
     * and kept until the communicator is closed.
     */
    Sequential.Chain sequentialChain()
    {
        endpoint();
        if (null == sequentialChain)
        {
            sequentialChain = new Sequential.Chain(this);
        }
        return sequentialChain;
    }

    void releaseNodeGroups()
    {
        barrierInNodeMemory = false; // its segment goes below
        if (null != sequentialChain)
        {
            sequentialChain.close();
            sequentialChain = null;
        }
        if (null != callBoard)
        {
            callBoard.close(); // before its memory is given back
            callBoard = null;
        }
        if (null != syncArray)
        {
            // The arena's arrays share the sync array's synchronisation: it goes with the last of them.
            final SharedArray<?> sync = syncArray;
            syncArray = null;
            if (null != nodeArena)
            {
                nodeArena.release(sync::close);
                nodeArena = null;
            }
            else
            {
                sync.close();
            }
        }
        if (null != nodeGroups)
        {
            nodeGroups.close();
            nodeGroups = null;
        }
    }

    /**
     * Returns e.g. {@code Communicator[rank 1 of 4]}.
     *
     * @return e.g. {@code Communicator[rank 1 of 4]}.
     */
    @Override
    public String toString()
    {
        return "Communicator[rank " + rank() + " of " + size() + (closed ? ", closed]" : "]");
    }

    CommEndpoint endpoint()
    {
        if (closed)
        {
            throw new IllegalStateException("communicator of rank " + endpoint.rank() + " is closed");
        }
        endpoint.checkCallingThread();
        return endpoint;
    }

    NodeMemory nodeMemory()
    {
        return runtime.nodeMemory();
    }

    IllegalArgumentException argument(final String op, final String problem)
    {
        return new IllegalArgumentException(op + "() on rank " + rank() + ": " + problem);
    }

    private void checkRank(final String op, final String role, final int peer)
    {
        if (peer < 0 || peer >= size())
        {
            throw argument(op, role + " " + peer + " is out of range for a communicator of " + size() + " ranks");
        }
    }

    private void checkTag(final String op, final int tag)
    {
        if (tag < 0)
        {
            throw argument(op, "tag " + tag + " is negative");
        }
        if (tag > MAX_TAG)
        {
            throw argument(op, "tag " + tag + " is above Communicator.MAX_TAG (" + MAX_TAG + "); larger tags are " +
                "the library's own");
        }
    }

    private int arrayLength(final String op, final Object array)
    {
        if (null == ElementType.ofArray(array))
        {
            throw argument(op, "expected byte[], short[], int[], long[], float[] or double[], got " +
                ElementType.describe(array));
        }
        return java.lang.reflect.Array.getLength(array);
    }

    private void checkRange(final String op, final Object array, final int offset, final int count)
    {
        final int length = arrayLength(op, array);
        if (offset < 0 || count < 0 || offset > length - count)
        {
            throw argument(op, "offset " + offset + " and count " + count + " do not fit an array of " + length);
        }
    }
}
