package org.pshmem.api;

import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;

import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.PostedReceive;
import org.pshmem.spi.SetForwarding;
import org.pshmem.spi.Setting;

/**
 * A row-major n-dimensional array of which exactly one copy exists per node, shared by all ranks of that
 * node (upstream pshmem's {@code MPIShared}).
 *
 * <p>Creation is collective over a communicator: the ranks are grouped by node, the first rank of each node
 * creates zero-filled memory and the others map it. Every rank then reads its node's copy directly:
 * element by element ({@code get}), in blocks ({@link #copyTo(Region, Object)}) or through read-only buffers
 * over the memory itself ({@code view}, {@code flatView}), with no copy, and reduces blocks in place ({@code sum},
 * {@code min}, {@code max} of the typed subclasses). The only way to write is the
 * collective {@link #set(Object, Region, int)} (or {@link #assign(Object, Region)}): the writer's block
 * reaches every node, and when it returns every rank of every node sees the same bytes.
 *
 * <p>Data goes in and out as a Java array of the element type, {@code A}: {@code double[]} for a
 * {@link SharedDoubleArray}, and so on, so passing another type does not compile. A block is placed by a
 * {@link Region} (offset and shape).
 *
 * <p>Every collective method checks its input on the ranks that have it and agrees on the outcome, so bad
 * input makes every rank throw the same exception (naming the rank that had it) and never leaves a rank
 * waiting. {@link #close()} is local and idempotent; the memory is given back at once when the last rank of
 * the node has closed it, views taken or not. Only creation, {@code set} and {@code assign} are collective; every read ({@code get},
 * {@code getFlat}, {@code view}, {@code flatView}, {@code copyTo}, {@code sum}, {@code min}, {@code max},
 * {@code toString}, {@code dataString}) and
 * every accessor is local: it reads this node's copy or this rank's own state and involves no other rank. An
 * instance is used by one thread at a time.
 *
 * <p>Interrupts: creation, {@code set} and {@code assign} cannot be interrupted (the other ranks count on
 * this one): an interrupted rank keeps waiting, parked, never spinning, and returns with its interrupt flag
 * set. The memory is mapped with the flag down, so an interrupt set before creation does not close the
 * file channels the mapping uses.
 *
 * <pre>{@code
 * try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, 3, 5)) {
 *     double[] block = comm.rank() == 0 ? new double[] {0, 1, 2, 3, 4, 5} : null;
 *     shm.set(block, Region.at(1, 1).size(2, 3), 0);   // collective: rank 0's block, 2 x 3 at (1, 1)
 *     double x = shm.get(2, 3);                         // local: 5.0 on every rank
 *     double[] row = new double[5];
 *     shm.copyTo(Region.at(2, 0).size(1, 5), row);      // local: row 2 of this node's copy
 * }
 * }</pre>
 *
 * @param <A> the Java array type of the elements, such as {@code double[]}.
 */
public abstract sealed class SharedArray<A> implements AutoCloseable
    permits SharedByteArray, SharedShortArray, SharedIntArray, SharedLongArray, SharedFloatArray,
    SharedDoubleArray
{
    /** Tag of {@code set()}'s messages between node leaders: above the users' tags, below the transports'. */
    static final int SET_TAG = 1 << 29;

    private final ElementType type;
    private final CommEndpoint ep;
    private final CommEndpoint nodeEp;
    private final CommEndpoint nodeRankEp;
    private final long[] shape;
    private final long[] strides;
    private final long size;
    private final int nodes;
    private final int maxPerNode;
    private final int minPerNode;
    /** Where each rank of the communicator sits on the nodes, by rank. */
    private final Allocation.NodePlace[] places;
    private final ArrayMemory memory;
    private final NodeSync sync;
    private final CallBoard board;
    private final int number;
    /** What the hang report says this rank is in, for set() and assign(): made once, as set() is hot. */
    private final String inSet;
    private final String inAssign;
    private final String boardName;
    private final int elementShift;
    private final long elementMask;
    private final long firstWindowElements;
    private boolean closed;
    private boolean buffersExported;

    SharedArray(final Allocation allocation)
    {
        this.type = allocation.type();
        this.ep = allocation.ep();
        this.nodeEp = allocation.nodeEp();
        this.nodeRankEp = allocation.nodeRankEp();
        this.shape = allocation.shape();
        this.strides = Extents.strides(shape);
        this.size = Extents.count(shape);
        this.memory = allocation.memory();
        this.places = allocation.places();
        this.nodes = (int)Arrays.stream(places).filter(place -> place.nodeRank() == 0).count();
        this.maxPerNode = Arrays.stream(places).mapToInt(Allocation.NodePlace::nodeSize).max().orElse(0);
        this.minPerNode = Arrays.stream(places).mapToInt(Allocation.NodePlace::nodeSize).min().orElse(0);
        this.sync = null != allocation.sharedSync() ? allocation.sharedSync() : new NodeSync(allocation.control(),
            nodeEp, nodes > 1 && nodeEp.rank() == 0 ? nodeRankEp : null, nodes == 1);
        this.board = allocation.board();
        this.number = allocation.number();
        this.inSet = CallBoard.ArrayCall.SET.describe(number);
        this.inAssign = CallBoard.ArrayCall.ASSIGN.describe(number);
        this.boardName = null == board ? "its communicator" : board.communicator();
        sync.watch(board);
        this.elementShift = memory.windowShift() - Integer.numberOfTrailingZeros(type.byteSize());
        this.elementMask = (1L << elementShift) - 1;
        this.firstWindowElements = Math.min(size, 1L << elementShift);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Creation

    /**
     * Collective over {@code comm}: creates a zero-filled array, grouping ranks by node.
     *
     * @param comm  the ranks that share the array.
     * @param type  element type.
     * @param shape extents, each zero or more; at least one.
     * @return the array; its class is the typed subclass for {@code type}, such as {@link SharedDoubleArray}.
     */
    public static SharedArray<?> create(final Communicator comm, final ElementType type, final long... shape)
    {
        return create(comm, null, type, shape);
    }

    /**
     * Collective over {@code comm}: creates a zero-filled array with the given node grouping.
     *
     * @param comm   the ranks that share the array.
     * @param groups node and node-rank communicators to use, or null to split {@code comm} by node.
     * @param type   element type.
     * @param shape  extents, each zero or more; at least one.
     * @return the array; its class is the typed subclass for {@code type}, such as {@link SharedDoubleArray}.
     * @throws IllegalArgumentException on every rank, when any rank's arguments are bad or disagree.
     * @throws PshmemException          on every rank, when a node could not create or map the memory.
     */
    public static SharedArray<?> create(
        final Communicator comm, final NodeGroups groups, final ElementType type, final long... shape)
    {
        Objects.requireNonNull(comm, "SharedArray.create(): comm is null");
        // Mapping node memory uses file channels, which an interrupt would close: it is kept for after.
        final Allocation allocation = InterruptDeferral.run(() ->
            Allocation.allocate(comm, groups, type, null == shape ? null : shape.clone()));
        switch (type)
        {
            case INT8: return new SharedByteArray(allocation);
            case INT16: return new SharedShortArray(allocation);
            case INT32: return new SharedIntArray(allocation);
            case INT64: return new SharedLongArray(allocation);
            case FLOAT32: return new SharedFloatArray(allocation);
            default: return new SharedDoubleArray(allocation);
        }
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code byte} (int8), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedByteArray ofBytes(final Communicator comm, final long... shape)
    {
        return (SharedByteArray)create(comm, null, ElementType.INT8, shape);
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code short} (int16), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedShortArray ofShorts(final Communicator comm, final long... shape)
    {
        return (SharedShortArray)create(comm, null, ElementType.INT16, shape);
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code int} (int32), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedIntArray ofInts(final Communicator comm, final long... shape)
    {
        return (SharedIntArray)create(comm, null, ElementType.INT32, shape);
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code long} (int64), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedLongArray ofLongs(final Communicator comm, final long... shape)
    {
        return (SharedLongArray)create(comm, null, ElementType.INT64, shape);
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code float} (float32), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedFloatArray ofFloats(final Communicator comm, final long... shape)
    {
        return (SharedFloatArray)create(comm, null, ElementType.FLOAT32, shape);
    }

    /**
     * Collective over {@code comm}: a new zero-filled array of {@code double} (float64), one copy per node; the same as
     * {@link #create(Communicator, NodeGroups, ElementType, long...)} with no node groups given.
     *
     * @param comm  the ranks that share the array; every one of them must call this with the same shape.
     * @param shape the extents, one or more, each zero or more.
     * @return this rank's handle on the array; close it when done (local).
     * @throws IllegalArgumentException on every rank when a shape is invalid or the ranks disagree on it.
     * @throws RankFailedException      when another rank failed or left during creation.
     */
    public static SharedDoubleArray ofDoubles(final Communicator comm, final long... shape)
    {
        return (SharedDoubleArray)create(comm, null, ElementType.FLOAT64, shape);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Description

    /**
     * Returns the element type.
     *
     * @return element type.
     */
    public final ElementType elementType()
    {
        return type;
    }

    /**
     * Returns a copy of the extents.
     *
     * @return a copy of the extents.
     */
    public final long[] shape()
    {
        return shape.clone();
    }

    /**
     * Returns the number of dimensions.
     *
     * @return number of dimensions.
     */
    public final int dimensions()
    {
        return shape.length;
    }

    /**
     * Returns the number of elements (may exceed {@link Integer#MAX_VALUE}).
     *
     * @return number of elements (may exceed {@link Integer#MAX_VALUE}).
     */
    public final long size()
    {
        return size;
    }

    /**
     * Returns the number of nodes holding a copy.
     *
     * @return number of nodes holding a copy.
     */
    public final int nodeCount()
    {
        return nodes;
    }

    /**
     * Returns the number of ranks on the largest node.
     *
     * @return ranks on the largest node.
     */
    public final int processesPerNode()
    {
        return maxPerNode;
    }

    /**
     * Returns true when {@code rank} may be the {@code fromRank} of {@link #set(Object, Region, int)}: its
     * node-rank exists on every node (on an uneven last node, the highest allowed node-rank is the size of the
     * smallest node minus one).
     *
     * @param rank a rank of the array's communicator.
     * @return true when {@code rank} may be the {@code fromRank} of {@link #set(Object, Region, int)}:
     * its node-rank exists on every node (on an uneven last node, the highest allowed node-rank is the size
     * of the smallest node minus one).
     */
    public final boolean canWriteFrom(final int rank)
    {
        return rank >= 0 && rank < places.length && places[rank].nodeRank() < minPerNode;
    }

    /**
     * Returns true once {@link #close()} was called on this rank.
     *
     * @return true once {@link #close()} was called on this rank.
     */
    public final boolean isClosed()
    {
        return closed;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Writes

    /**
     * Collective: writes a block given on one rank into every node's copy. Only {@code fromRank}'s {@code data}
     * and {@code region} are used; the other ranks may pass null for both.
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code set()} on the writing rank
     * <a href="https://docs.oracle.com/javase/specs/jls/se17/html/jls-17.html#jls-17.4.5"><i>happen-before</i></a>
     * any read of the written elements, by any rank of any node, after {@code set()} has returned on the reading
     * rank. {@code set()} returns on every rank only after the block is visible in that rank's node copy.
     *
     * @param data     on the writer, the block in row-major order, {@link Region#count()} elements.
     * @param region   on the writer, where the block goes: as many dimensions as this array, and inside it.
     * @param fromRank the writing rank, the same on every rank; {@link #canWriteFrom(int)} must hold for it.
     * @throws IllegalArgumentException on every rank, naming the writer, when its data or region is bad (null,
     *                                  another array type, another number of elements or dimensions, or a block
     *                                  that does not fit); naming the problem when {@code fromRank} is out of
     *                                  range, disagrees between ranks or is not writable.
     * @throws IllegalStateException    on this rank when the array was closed here.
     */
    public final void set(final A data, final Region region, final int fromRank)
    {
        setCall(data, region, false, fromRank);
    }

    /**
     * Collective: writes the whole array from one rank into every node's copy; the same as
     * {@link #set(Object, Region, int)} with a region from zero covering the array.
     *
     * <p>Memory consistency effects: as for {@link #set(Object, Region, int)}.
     *
     * @param data     on the writer, all {@link #size()} elements in row-major order; other ranks may pass null.
     * @param fromRank the writing rank, the same on every rank; {@link #canWriteFrom(int)} must hold for it.
     * @throws IllegalArgumentException on every rank, naming the writer, when its data is bad (null, another
     *                                  array type or another number of elements); as for
     *                                  {@link #set(Object, Region, int)} when {@code fromRank} is bad.
     * @throws IllegalStateException    on this rank when the array was closed here.
     */
    public final void set(final A data, final int fromRank)
    {
        setCall(data, null, true, fromRank);
    }

    /**
     * Collective: indexed assignment, like upstream's {@code shm[region] = data}. Exactly one rank passes
     * non-null {@code data} and is the writer; the library finds it (one more agreement than {@code set()}).
     * Only the writer's {@code region} is used; the other ranks may pass null.
     *
     * <p>Memory consistency effects: actions in a thread prior to calling {@code assign()} on the writing rank
     * <i>happen-before</i> any read of the written elements, by any rank of any node, after {@code assign()} has
     * returned on the reading rank. {@code assign()} returns on every rank only after the block is visible in
     * that rank's node copy.
     *
     * @param dataOrNull the block in row-major order on the one writing rank, null on every other rank.
     * @param region     on the writer, where the block goes, as for {@link #set(Object, Region, int)}.
     * @throws IllegalArgumentException on every rank when no rank or more than one rank passes data, or, naming
     *                                  the writer, when its data or region is bad.
     * @throws IllegalStateException    on this rank when the array was closed here.
     */
    public final void assign(final A dataOrNull, final Region region)
    {
        final String op = "assign()";
        checkOpen(op);
        begin(CallBoard.ArrayCall.ASSIGN);
        try
        {
            final long rank = ep.rank();
            final boolean has = null != dataOrNull;
            final NodeSync.MinMax writers = sync.minMax(op, has ? rank : Long.MAX_VALUE, has ? rank : -1);
            final long lowest = writers.min(0); // Long.MAX_VALUE when no rank passed data
            final long highest = writers.max(1);
            if (lowest == Long.MAX_VALUE || lowest != highest)
            {
                throw new IllegalArgumentException(op + " on rank " + ep.rank() + ": exactly one rank must pass " +
                    "data, " + (lowest == Long.MAX_VALUE ? "but none did" :
                    "but more than one did (ranks " + lowest + " and " + highest + " among them)"));
            }
            write(op, dataOrNull, region, false, (int)lowest);
        }
        finally
        {
            ep.activity().exit();
        }
    }

    /** Both forms of {@code set()}: the call posted and recorded around the write. */
    private void setCall(final A data, final Region region, final boolean whole, final int fromRank)
    {
        checkOpen("set()");
        begin(CallBoard.ArrayCall.SET);
        try
        {
            write("set()", data, region, whole, fromRank);
        }
        finally
        {
            ep.activity().exit();
        }
    }

    /**
     * Posts this rank's array call on the communicator's board and records it as the rank's activity; the
     * caller then ends with {@code ep.activity().exit()}.
     */
    private void begin(final CallBoard.ArrayCall call)
    {
        if (null != board)
        {
            board.post(call, number);
        }
        ep.activity().enterArrayCall(call == CallBoard.ArrayCall.SET ? inSet : inAssign, boardName);
    }

    /**
     * The collective write behind {@code set()} and {@code assign()}, of {@code region} or of the whole array;
     * the callers checked that the array is open before posting the call.
     */
    private void write(final String op, final A data, final Region region, final boolean whole, final int fromRank)
    {
        final boolean writer = ep.rank() == fromRank;
        final String problem = writer ? writeProblem(data, region, whole) : null;
        // Agreement through node memory: a one-node job sends no message in set().
        final NodeSync.MinMax agreed = sync.minMax(op, fromRank, null == problem ? 0 : 1);
        final int fromRanks = 0;
        final int problems = 1;
        if (!agreed.same(fromRanks))
        {
            throw new IllegalArgumentException(op + " on rank " + ep.rank() + ": ranks disagree on fromRank " +
                "(values from " + agreed.min(fromRanks) + " to " + agreed.max(fromRanks) + " were passed)");
        }
        if (fromRank < 0 || fromRank >= ep.size())
        {
            throw new IllegalArgumentException(op + " on rank " + ep.rank() + ": fromRank " + fromRank +
                " is out of range for a communicator of " + ep.size() + " ranks");
        }
        if (agreed.max(problems) != 0)
        {
            throw new IllegalArgumentException(op + " failed on rank " + fromRank + ": " +
                Agreement.share(ep, fromRank, problem));
        }
        final int writerNodeRank = places[fromRank].nodeRank();
        if (writerNodeRank >= minPerNode)
        {
            throw new IllegalArgumentException(op + " on rank " + ep.rank() + ": fromRank " + fromRank +
                " has node-rank " + writerNodeRank + ", which not every node has (the smallest node has " +
                minPerNode + " ranks); write from a rank whose node-rank is below " + minPerNode);
        }
        // Only the node's copying rank is waited for: the next collective on this synchronisation is a
        // barrier of every rank, so no copy can overtake a rank still waiting here.
        final long write = sync.nextWrite();
        if (nodeEp.rank() == writerNodeRank)
        {
            replicate(data, whole ? null : region, writer, places[fromRank].nodeIndex());
            sync.publishWritten(write);
        }
        else
        {
            sync.awaitWritten(op, write);
        }
    }

    /**
     * @return why the writer's input cannot be written, or null.
     */
    private String writeProblem(final Object data, final Region region, final boolean whole)
    {
        if (size == 0)
        {
            return "the array " + Extents.text(shape) + " has no elements, so nothing can be written";
        }
        if (null == data)
        {
            return "data is null on the writing rank";
        }
        final String typeProblem = typeProblem("data", data);
        if (null != typeProblem)
        {
            return typeProblem;
        }
        final int length = java.lang.reflect.Array.getLength(data);
        if (whole)
        {
            return length == size ? null : "data has " + length + " elements but the array " + Extents.text(shape) +
                " has " + size + "; pass a Region to write part of it";
        }
        return null == region ? "region is null on the writing rank" : blockProblem("data", length, region);
    }

    /**
     * @return why {@code array}, named {@code name} in the message, is not a Java array of this element type, or
     * null. Generics stop this at compile time, but raw and wildcard callers reach here with any object.
     */
    private String typeProblem(final String name, final Object array)
    {
        if (ElementType.ofArray(array) != type)
        {
            return name + " is " + ElementType.describe(array) + " but the array holds " + type.dtype() + " (" +
                type.arrayClass().getSimpleName() + "); no conversion is made";
        }
        return null;
    }

    /**
     * @return why {@code region} does not place {@code length} elements of {@code name} in this array, or null.
     */
    private String blockProblem(final String name, final int length, final Region region)
    {
        final long[] offset = region.offsetArray();
        final long[] blockShape = region.shapeArray();
        if (blockShape.length != shape.length)
        {
            return region + " has " + blockShape.length + " dimensions but the array has " + shape.length;
        }
        if (region.count() != length)
        {
            return "region shape " + Extents.text(blockShape) + " holds " + region.count() + " elements but " + name +
                " has " + length;
        }
        for (int d = 0; d < shape.length; d++)
        {
            if (offset[d] > shape[d] - blockShape[d])
            {
                return "block " + Extents.text(blockShape) + " at offset " + Extents.text(offset) +
                    " does not fit in the array " + Extents.text(shape) + " (dimension " + d + ")";
            }
        }
        return null;
    }

    /**
     * Runs on the ranks with the writer's node-rank (the leaders of this write, one per node): the writer's block
     * (its region, or the whole array for null) reaches each of them over the node-rank communicator, in chunks
     * forwarded as {@link SetForwarding#plan(int, int)} says (a chain, or a binary tree when that takes fewer
     * steps), and each copies it into its node's memory. Only the writer's region is read; the others learn it,
     * and the writer's chunk size, from a header that travels ahead of the chunks. A leader forwards each chunk
     * before it copies it into node memory, so the next leaders receive while it copies, and its own receives are
     * posted ahead ({@link CommEndpoint#receiveLater}), so its next chunks arrive meanwhile.
     */
    private void replicate(final A data, final Region region, final boolean writer, final int root)
    {
        final int dims = shape.length;
        if (nodes == 1)
        {
            // The writer is the only copier: no header, and no chunk size to read from the settings.
            final BlockRuns runs = null == region ? new BlockRuns(shape, new long[dims], shape) :
                new BlockRuns(shape, region.offsetArray(), region.shapeArray());
            writeBlock(runs, data, 0, 0, runs.blockCount());
            return;
        }
        final long[] header = new long[2 * dims + 1];
        if (writer)
        {
            System.arraycopy(null == region ? new long[dims] : region.offsetArray(), 0, header, 0, dims);
            System.arraycopy(null == region ? shape : region.shapeArray(), 0, header, dims, dims);
            header[2 * dims] = Math.max(1, Setting.SET_CHUNK_BYTES.intValue() / type.byteSize());
        }
        else
        {
            // Any source: the header comes from this write's parent, and no message of the next write can
            // reach this rank before it has taken part in that write's agreement.
            nodeRankEp.receive(header, 0, header.length, CommEndpoint.ANY_SOURCE, SET_TAG);
        }
        final BlockRuns runs = new BlockRuns(shape, Arrays.copyOfRange(header, 0, dims),
            Arrays.copyOfRange(header, dims, 2 * dims));
        final long total = runs.blockCount();
        final int chunk = (int)header[2 * dims];
        final int chunks = (int)((total + chunk - 1) / chunk);
        final SetForwarding plan = SetForwarding.plan(nodes, chunks);
        final int relative = Math.floorMod(nodeRankEp.rank() - root, nodes);
        final int parent = writer ? -1 : (plan.parent(relative) + root) % nodes;
        final int[] children = new int[plan.children(relative)];
        for (int i = 0; i < children.length; i++)
        {
            children[i] = (plan.firstChild(relative) + i + root) % nodes;
        }
        for (final int child : children)
        {
            nodeRankEp.send(header, 0, header.length, child, SET_TAG);
        }
        if (writer)
        {
            sendBlock(runs, data, total, chunk, children);
        }
        else
        {
            receiveBlock(runs, total, chunk, parent, children);
        }
    }

    /** The writer's part of {@link #replicate}: sends every chunk to its children, then copies the block into
     *  its node's memory. */
    private void sendBlock(final BlockRuns runs, final A data, final long total, final int chunk, final int[] children)
    {
        for (long from = 0; from < total; from += chunk)
        {
            final int count = (int)Math.min(chunk, total - from);
            for (final int child : children)
            {
                nodeRankEp.send(data, (int)from, count, child, SET_TAG);
            }
        }
        writeBlock(runs, data, 0, 0, total);
    }

    /**
     * A leader's part of {@link #replicate} on another node: receives each chunk from its parent, forwards it to
     * its children, then copies it into node memory. Receives are posted two chunks ahead into two buffers used
     * in turn, so chunk c + 1 arrives while chunk c is forwarded and copied. When a rank fails meanwhile, the
     * receives still posted are left: the failure ends the job (it is not a mismatch a program could go on from).
     */
    private void receiveBlock(final BlockRuns runs, final long total, final int chunk, final int parent,
        final int[] children)
    {
        final int chunks = (int)((total + chunk - 1) / chunk);
        final A even = newArray((int)Math.min(chunk, total));
        final A odd = chunks > 1 ? newArray(chunk) : null;
        final PostedReceive[] posted = new PostedReceive[2];
        for (int c = 0; c < Math.min(2, chunks); c++)
        {
            posted[c] = postChunk(0 == c ? even : odd, c, total, chunk, parent);
        }
        for (int c = 0; c < chunks; c++)
        {
            final long from = (long)c * chunk;
            final int count = (int)Math.min(chunk, total - from);
            final A buffer = 0 == (c & 1) ? even : odd;
            posted[c & 1].await();
            for (final int child : children)
            {
                nodeRankEp.send(buffer, 0, count, child, SET_TAG);
            }
            writeBlock(runs, buffer, from, from, from + count);
            if (c + 2 < chunks)
            {
                posted[c & 1] = postChunk(buffer, c + 2, total, chunk, parent);
            }
        }
    }

    private PostedReceive postChunk(final A buffer, final int index, final long total, final int chunk,
        final int parent)
    {
        final int count = (int)Math.min(chunk, total - (long)index * chunk);
        return nodeRankEp.receiveLater(buffer, 0, count, parent, SET_TAG);
    }

    /** Copies block elements [from, to) taken from {@code source} (whose element 0 is block element
     *  {@code sourceStart}) into this node's memory. */
    private void writeBlock(
        final BlockRuns runs, final A source, final long sourceStart, final long from, final long to)
    {
        runs.forEach(from, to, Integer.MAX_VALUE, (arrayIndex, blockIndex, length) ->
            forEachWindow(arrayIndex, length, (window, at, done, count) ->
                putRun(window, at, source, (int)(blockIndex - sourceStart) + done, count)));
    }

    /** A Java array of this element type: the element type fixes {@code A} (each subclass pairs them). */
    @SuppressWarnings("unchecked")
    private A newArray(final int length)
    {
        return (A)type.newArray(length);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reads

    /**
     * Copies a block of this node's copy into a Java array (local, no communication).
     *
     * @param region where the block is: as many dimensions as this array, and inside it.
     * @param dest   where the block goes, in row-major order: exactly {@link Region#count()} elements.
     * @throws IllegalArgumentException when {@code region} or {@code dest} is null, the region has another number
     *                                  of dimensions or does not fit, or {@code dest} is of another array type or
     *                                  length.
     * @throws IllegalStateException    when the array was closed on this rank.
     */
    public final void copyTo(final Region region, final A dest)
    {
        final String op = "copyTo()";
        checkOpen(op);
        if (null == dest)
        {
            throw argument(op, "dest is null");
        }
        final String typeProblem = typeProblem("dest", dest);
        if (null != typeProblem)
        {
            throw argument(op, typeProblem);
        }
        final String problem = null == region ? "region is null" :
            blockProblem("dest", java.lang.reflect.Array.getLength(dest), region);
        if (null != problem)
        {
            throw argument(op, problem);
        }
        final BlockRuns runs = new BlockRuns(shape, region.offsetArray(), region.shapeArray());
        runs.forEach(0, runs.blockCount(), Integer.MAX_VALUE, (arrayIndex, blockIndex, length) ->
            forEachWindow(arrayIndex, length, (window, at, done, count) ->
                getRun(window, at, dest, (int)blockIndex + done, count)));
    }

    /** Receives one run of a region that lies in one window: {@code count} elements from position {@code at}. */
    interface WindowRun
    {
        void run(int window, int at, int count);
    }

    /**
     * Checks a region for a reduction ({@code sum()}, {@code min()}, {@code max()}) and calls {@code run} for
     * its runs of consecutive elements, each within one window, in row-major order.
     *
     * @return the number of elements of the region.
     */
    final long forEachRun(final String op, final Region region, final WindowRun run)
    {
        checkOpen(op);
        if (null == region)
        {
            throw argument(op, "region is null");
        }
        final long[] offset = region.offsetArray();
        final long[] blockShape = region.shapeArray();
        if (blockShape.length != shape.length)
        {
            throw argument(op, region + " has " + blockShape.length + " dimensions but the array has " +
                shape.length);
        }
        for (int d = 0; d < shape.length; d++)
        {
            if (offset[d] > shape[d] - blockShape[d])
            {
                throw argument(op, "block " + Extents.text(blockShape) + " at offset " + Extents.text(offset) +
                    " does not fit in the array " + Extents.text(shape) + " (dimension " + d + ")");
            }
        }
        final BlockRuns runs = new BlockRuns(shape, offset, blockShape);
        runs.forEach(0, runs.blockCount(), Integer.MAX_VALUE, (arrayIndex, blockIndex, length) ->
            forEachWindow(arrayIndex, length, (window, at, done, count) -> run.run(window, at, count)));
        return runs.blockCount();
    }

    /** @return the exception for a minimum or maximum of an empty region, which has no value (as in numpy). */
    final IllegalArgumentException emptyReduction(final String op, final Region region)
    {
        return argument(op, region + " is empty: a minimum or maximum needs at least one element");
    }

    /**
     * @return the flat (row-major) index of {@code index}, after checking it.
     */
    final long flatIndex(final String op, final long[] index)
    {
        checkOpen(op);
        if (null == index || index.length != shape.length)
        {
            throw argument(op, "index has " + (null == index ? 0 : index.length) + " entries but the array has " +
                shape.length + " dimensions");
        }
        long flat = 0;
        for (int d = 0; d < shape.length; d++)
        {
            if (index[d] < 0 || index[d] >= shape[d])
            {
                throw new IndexOutOfBoundsException(op + " on rank " + ep.rank() + ": index " + index[d] +
                    " is out of range for dimension " + d + " of extent " + shape[d]);
            }
            flat += index[d] * strides[d];
        }
        return flat;
    }

    final long checkFlat(final String op, final long flat)
    {
        checkOpen(op);
        if (flat < 0 || flat >= size)
        {
            throw new IndexOutOfBoundsException(op + " on rank " + ep.rank() + ": flat index " + flat +
                " is out of range for " + size + " elements");
        }
        return flat;
    }

    final int windowOf(final long flat)
    {
        return (int)(flat >>> elementShift);
    }

    final int positionOf(final long flat)
    {
        return (int)(flat & elementMask);
    }

    /** Consecutive elements that lie in one window, so one buffer can show them: what a view covers. */
    record ViewRange(long start, int length)
    {
    }

    /**
     * @return the contiguous run selected by leading indices, after checking it lies in one window.
     */
    final ViewRange viewRange(final String op, final long[] leading)
    {
        checkOpen(op);
        final int given = null == leading ? 0 : leading.length;
        if (given >= shape.length)
        {
            throw argument(op, "give fewer indices than the array's " + shape.length + " dimensions, not " + given);
        }
        long start = 0;
        for (int d = 0; d < given; d++)
        {
            if (leading[d] < 0 || leading[d] >= shape[d])
            {
                throw new IndexOutOfBoundsException(op + " on rank " + ep.rank() + ": index " + leading[d] +
                    " is out of range for dimension " + d + " of extent " + shape[d]);
            }
            start += leading[d] * strides[d];
        }
        final long length = given == 0 ? size : strides[given - 1];
        return checkedRange(op, start, length);
    }

    final ViewRange checkedRange(final String op, final long start, final long length)
    {
        checkOpen(op);
        if (start < 0 || length < 0 || start > size - length)
        {
            throw new IndexOutOfBoundsException(op + " on rank " + ep.rank() + ": range of " + length +
                " elements from " + start + " is outside the " + size + " elements");
        }
        if (length > 0 && windowOf(start) != windowOf(start + length - 1))
        {
            throw argument(op, "the " + length + " elements from " + start + " cross a mapping boundary " +
                "(every " + (1L << elementShift) + " elements); view smaller runs or use copyTo()");
        }
        return new ViewRange(start, (int)length); // within one window, so an int
    }

    /**
     * Typed read-only views over the node's memory, one per window.
     */
    final <B extends Buffer> B[] windows(final B[] views, final Function<ByteBuffer, B> typed)
    {
        for (int w = 0; w < views.length; w++)
        {
            views[w] = typed.apply(memory.window(w).order(java.nio.ByteOrder.nativeOrder()));
        }
        return views;
    }

    /**
     * Called when a view of the memory leaves this object: close() then leaves the address range in place (it
     * reads zeros or throws) until no view is reachable, instead of unmapping it at once.
     */
    final void exported()
    {
        buffersExported = true;
    }

    /**
     * The first window of the memory, writable: for the library's own state kept in node memory.
     */
    final ByteBuffer rawWindow()
    {
        return memory.window(0).order(java.nio.ByteOrder.nativeOrder());
    }

    /** @return by rank of the array's communicator, whether that rank is on this rank's node. */
    final boolean[] ranksOnThisNode()
    {
        final boolean[] here = new boolean[places.length];
        for (int r = 0; r < here.length; r++)
        {
            here[r] = places[r].nodeIndex() == places[ep.rank()].nodeIndex();
        }
        return here;
    }

    final NodeSync sync()
    {
        return sync;
    }

    final int windowCount()
    {
        return memory.windowCount();
    }

    private interface WindowPiece
    {
        void piece(int window, int at, int done, int count);
    }

    private void forEachWindow(final long arrayIndex, final int length, final WindowPiece piece)
    {
        int done = 0;
        while (done < length)
        {
            final long flat = arrayIndex + done;
            final int at = positionOf(flat);
            final int count = (int)Math.min(length - done, (1L << elementShift) - at);
            piece.piece(windowOf(flat), at, done, count);
            done += count;
        }
    }

    /** Writes {@code count} elements of {@code source} from {@code offset} at position {@code at} of a window. */
    abstract void putRun(int window, int at, A source, int offset, int count);

    /** Reads {@code count} elements at position {@code at} of a window into {@code dest} from {@code offset}. */
    abstract void getRun(int window, int at, A dest, int offset, int count);

    /** Text of one element, numpy style. */
    abstract String format(long flat);

    // ---------------------------------------------------------------------------------------------------------
    // Text

    /**
     * Upstream's summary form: nodes and processes, shape and type, and the first rows.
     *
     * @return e.g. {@code <SharedArray\n  replicated on 1 nodes, each with 4 processes (4 total)\n ...>}.
     */
    @Override
    public final String toString()
    {
        if (closed)
        {
            return "<SharedArray closed, shape = " + Extents.text(shape) + ", dtype = " + type.dtype() + ">";
        }
        return "<SharedArray\n  replicated on " + nodes + " nodes, each with " + maxPerNode + " processes (" +
            ep.size() + " total)\n  shape = " + Extents.text(shape) + ", dtype = " + type.dtype() + "\n  " +
            ArrayText.summary(shape, this::format) + "\n>";
    }

    /**
     * Returns this node's copy as numpy prints an array, rows on separate lines.
     *
     * @return this node's copy as numpy prints an array, rows on separate lines.
     */
    public final String dataString()
    {
        checkOpen("dataString()");
        return ArrayText.full(shape, this::format);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lifetime

    /**
     * Lets go of this rank's hold on the memory. Local (involves no other rank) and idempotent. When the last
     * rank of a node has closed the array, the node's memory for it is given back at once (its pages in
     * {@code /dev/shm}, or the in-process transport's native memory), whether or not views were taken, with no
     * help from the garbage collector. Any later use of this object on this rank throws
     * {@link IllegalStateException}.
     *
     * <p>A view taken from the array ({@code view}, {@code flatView}) and kept past {@code close()} never crashes
     * the JVM and never shows another array's data: at the latest once every rank of the node has closed the
     * array, reading it throws {@link IllegalStateException} on Java 22 and later, and reads zeros on Java 17
     * to 21 (until then it may still show the data; do not rely on that). A small array (at most
     * {@code pshmem.smallArrayBytes}) is a block of its communicator's node arena, reused by later small
     * arrays once every rank of the node closed it; a view kept past close reads zeros, as its block is then
     * zeroed and kept out of reuse until the communicator is closed.
     */
    @Override
    public final void close()
    {
        if (!closed)
        {
            closed = true;
            memory.close(buffersExported);
        }
    }

    /**
     * @return true when {@code index} lies in the first window of an open array: the typed {@code getFlat} then
     * reads that window directly, which keeps its loop small enough for the JIT (every array under 1 GiB).
     */
    final boolean inOpenFirstWindow(final long index)
    {
        return index >= 0 && index < firstWindowElements && !closed;
    }

    final void checkOpen(final String op)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + ep.rank() + ": the " + type.dtype() + " array " +
                Extents.text(shape) + " is closed");
        }
    }

    final IllegalArgumentException argument(final String op, final String problem)
    {
        return new IllegalArgumentException(op + " on rank " + ep.rank() + ": " + problem);
    }
}
