package org.pshmem.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;

import org.pshmem.spi.CommEndpoint;
import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;

/**
 * The collective creation of a {@link SharedArray}'s node memory and its outcome: the communicators, where every
 * rank sits on the nodes, and this rank's mapping. Node-rank 0 of each node creates zero-filled memory marked
 * with a random token; the other ranks of the node map it and check the token, so ranks that do not really share
 * memory are caught at creation. Any problem, on any rank, is agreed so every rank throws the same exception.
 *
 * <p>Two paths: when every rank is on one node and uses the communicator's own node split, the handle goes
 * through node memory and nothing is sent; otherwise over the node communicator, with an agreement on the world.
 * An array of at most {@code pshmem.smallArrayBytes} made with the communicator's own node split is a block of
 * the communicator's {@link NodeArena} and shares its node synchronisation; any other has a segment of its own.
 */
final class Allocation
{
    /** Where a rank of the array's communicator sits: its node (in node order), its rank there, the node's size. */
    record NodePlace(int nodeIndex, int nodeRank, int nodeSize)
    {
    }

    private static final SecureRandom TOKENS = new SecureRandom();
    /** Bytes of node-rank 0's message to its node: a flag ({@link #HANDLE} or {@link #PROBLEM}), a length, text. */
    private static final int STATUS_BYTES = 1024;
    private static final int STATUS_HEADER = 5;
    private static final byte PROBLEM = 0;
    private static final byte HANDLE = 1;
    /** The first byte of node-rank 0's description of the memory: which kind follows. */
    private static final byte SEGMENT_MEMORY = 1;
    private static final byte ARENA_MEMORY = 2;
    // Facts every rank gives about its arguments, in this order, so disagreements are found and named.
    private static final int TYPE = 0;
    private static final int DIMENSIONS = 1;
    private static final int SHAPE_HASH = 2;
    private static final int GROUPS_GIVEN = 3;
    // Node-rank 0's block of the arena, when it could place the array in a chunk every rank has mapped.
    private static final int ARENA_PLACE = 4;
    private static final int ARENA_TOKEN = 5;
    private static final long NO_PLACE = Long.MIN_VALUE;
    // Facts every rank gives about its place after mapping, in this order.
    private static final int NODE_RANK = 0;
    private static final int NODE_SIZE = 1;
    private static final int NODE_INDEX = 2;

    private final ElementType type;
    private final CommEndpoint ep;
    private final CommEndpoint nodeEp;
    private final CommEndpoint nodeRankEp;
    private final long[] shape;
    private final CallBoard board;
    private final int number;
    private NodeSegment segment;
    private NodeArena arena;
    private NodeArena.Placement placement;
    private ArrayMemory memory;
    private NodeSync sharedSync;
    private NodePlace[] places;

    private Allocation(final ElementType type, final CommEndpoint ep, final NodeGroups groups, final long[] shape,
        final CallBoard board, final int number)
    {
        this.board = board;
        this.number = number;
        this.type = type;
        this.ep = ep;
        this.nodeEp = groups.node().endpoint();
        this.nodeRankEp = groups.nodeRank().endpoint();
        this.shape = shape;
    }

    ElementType type()
    {
        return type;
    }

    /** The array's communicator. */
    CommEndpoint ep()
    {
        return ep;
    }

    /** The ranks of this node. */
    CommEndpoint nodeEp()
    {
        return nodeEp;
    }

    /** The ranks of every node with this rank's node-rank. */
    CommEndpoint nodeRankEp()
    {
        return nodeRankEp;
    }

    long[] shape()
    {
        return shape;
    }

    /** @return this rank's hold on the array's node memory. */
    ArrayMemory memory()
    {
        return memory;
    }

    /** @return the synchronisation the array shares with its communicator, or null when it has its own. */
    NodeSync sharedSync()
    {
        return sharedSync;
    }

    /** @return the control part of the array's own segment, for its own synchronisation. */
    java.nio.ByteBuffer control()
    {
        return segment.control();
    }

    /** @return the communicator's board of array calls, or null when it spans more than one node. */
    CallBoard board()
    {
        return board;
    }

    /** @return the array's number among the communicator's arrays, from 1, in creation order (0 without a board). */
    int number()
    {
        return number;
    }

    /** @return where each rank of the array's communicator sits, by rank; a copy. */
    NodePlace[] places()
    {
        return places.clone();
    }

    /**
     * Collective over {@code comm}: agrees on the arguments, then creates or maps this node's memory.
     *
     * @throws IllegalArgumentException on every rank, when any rank's arguments are bad or disagree.
     * @throws PshmemException          on every rank, when a node could not create or map the memory.
     */
    static Allocation allocate(
        final Communicator comm, final NodeGroups groups, final ElementType type, final long[] shape)
    {
        final String op = "SharedArray.create()";
        final CommEndpoint ep = comm.endpoint();
        String problem = null == type ? "type is null" : Extents.shapeProblem(shape, type.byteSize());
        if (null == problem)
        {
            problem = groupsProblem(ep, groups);
        }
        if (null == problem)
        {
            problem = capacityProblem(comm.nodeMemory().capacity(), Extents.count(shape) * type.byteSize());
        }
        if (null == problem)
        {
            problem = NodeArena.settingProblem();
        }
        final Agreement.Status status = Agreement.Status.of(problem, Agreement.Status.BAD_ARGUMENT);
        final long[] facts = {
            null == type ? -1 : type.ordinal(),
            null == shape ? -1 : shape.length,
            null == shape ? 0 : Arrays.hashCode(shape),
            null == groups ? 0 : 1};
        // Agree through node memory (across nodes, between the node leaders only); any problem or disagreement
        // takes the general path, which names the rank at fault.
        final NodeSync fast = comm.arraySync();
        final CallBoard board = comm.callBoard();
        final int number = null == board ? 0 : comm.nextArrayNumber();
        if (null != board)
        {
            board.post(CallBoard.ArrayCall.CREATE, number);
        }
        ep.activity().enterArrayCall(null == board ? "SharedArray.create()" :
            CallBoard.ArrayCall.CREATE.describe(number), null == board ? "its communicator" : board.communicator());
        try
        {
            if (null != fast)
            {
                final long bytes = null == problem ? Extents.count(shape) * type.byteSize() : -1;
                final boolean small = null == problem && NodeArena.serves(bytes) && comm.onOneNode();
                // On one node, node-rank 0 places a small array before the agreement, whose reduction then
                // carries the place: creation is then one barrier in node memory.
                final NodeArena.Placement early = small && comm.nodeGroups().node().rank() == 0 ?
                    comm.nodeArena().allocateInMappedChunk(bytes, comm.size()) : null;
                final NodeSync.MinMax agreed = fast.minMax(op, status.code(), facts[TYPE], facts[DIMENSIONS],
                    facts[SHAPE_HASH], facts[GROUPS_GIVEN], null == early ? NO_PLACE : early.packed(),
                    null == early ? NO_PLACE : early.blockToken());
                // Value 0 is the status; the facts follow it.
                final boolean clean = agreed.max(0) == Agreement.Status.OK.code() && agreed.max(1 + GROUPS_GIVEN) == 0 &&
                    agreed.same(1 + TYPE) && agreed.same(1 + DIMENSIONS) && agreed.same(1 + SHAPE_HASH);
                if (clean && agreed.max(1 + ARENA_PLACE) != NO_PLACE)
                {
                    final Allocation allocation = new Allocation(type, ep, comm.nodeGroups(), shape, board, number);
                    allocation.holdPlaced(comm.nodeArena(), early, NodeArena.Placement.unpacked(
                        agreed.max(1 + ARENA_PLACE), agreed.max(1 + ARENA_TOKEN)), bytes, fast);
                    return allocation;
                }
                if (null != early)
                {
                    comm.nodeArena().giveBack(early);
                }
                if (clean)
                {
                    final Allocation allocation = new Allocation(type, ep, comm.nodeGroups(), shape, board, number);
                    if (NodeArena.serves(bytes))
                    {
                        allocation.arena = comm.nodeArena();
                        allocation.sharedSync = fast;
                    }
                    if (comm.onOneNode())
                    {
                        allocation.mapOrRelease(() -> allocation.mapOnOneNode(comm, op, fast));
                    }
                    else
                    {
                        allocation.mapOrRelease(() -> allocation.mapNodeMemory(comm, op));
                    }
                    return allocation;
                }
            }
            final Agreement.Facts all = Agreement.exchange(ep, status, facts);
            Agreement.raiseIfAny(ep, op, all, problem, null);
            for (final int fact : new int[] {TYPE, DIMENSIONS, SHAPE_HASH, GROUPS_GIVEN})
            {
                final int[] disagree = all.disagreeing(fact);
                if (disagree.length > 0)
                {
                    throw new IllegalArgumentException(op + " on rank " + ep.rank() + ": ranks disagree on the " +
                        (fact == GROUPS_GIVEN ? "use of NodeGroups" : "element type or shape") + ": " +
                        Agreement.describe(disagree) + " differ from rank 0, which asked for " +
                        ElementType.values()[(int)all.fact(0, TYPE)].dtype() + " with " + all.fact(0, DIMENSIONS) +
                        " dimensions; this rank asked for " + type.dtype() + " of shape " + Extents.text(shape));
                }
            }
            // Without explicit groups, the communicator's own split, made on its first array and kept.
            final Allocation allocation = new Allocation(type, ep, null == groups ? comm.nodeGroups() : groups, shape,
                board, number);
            allocation.mapOrRelease(() -> allocation.mapNodeMemory(comm, op));
            return allocation;
        }
        finally
        {
            ep.activity().exit();
        }
    }

    /** The arrays of one node placed before the agreement: this rank's hold on the block and its places. */
    private void holdPlaced(final NodeArena arena, final NodeArena.Placement mine, final NodeArena.Placement agreed,
        final long bytes, final NodeSync fast)
    {
        memory = null != mine ? arena.hold(mine, bytes) : arena.attachMapped(agreed, bytes);
        sharedSync = fast;
        places = new NodePlace[ep.size()];
        for (int rank = 0; rank < places.length; rank++)
        {
            places[rank] = new NodePlace(0, rank, places.length);
        }
    }

    /** @return why no node could ever hold {@code bytes}, or null. */
    static String capacityProblem(final NodeMemory.Capacity capacity, final long bytes)
    {
        return bytes <= capacity.bytes() ? null : "the array needs " + bytes + " bytes of node memory, more than " +
            capacity.what() + " (" + capacity.bytes() + " bytes)";
    }

    /** @return why explicit node groups do not fit the array's communicator, or null. */
    private static String groupsProblem(final CommEndpoint ep, final NodeGroups groups)
    {
        if (null == groups)
        {
            return null;
        }
        final int nodeSize = groups.node().size();
        if (ep.size() % nodeSize != 0)
        {
            return "the node communicator has " + nodeSize + " ranks, which does not divide the " + ep.size() +
                " ranks of the array's communicator";
        }
        if (groups.nodeRank().size() != ep.size() / nodeSize)
        {
            return "the node-rank communicator has " + groups.nodeRank().size() + " ranks but there are " +
                ep.size() / nodeSize + " nodes";
        }
        return null;
    }

    /** Runs a mapping path; on any failure lets go of what this rank mapped, then rethrows. */
    private void mapOrRelease(final Runnable mapping)
    {
        try
        {
            mapping.run();
        }
        catch (final RuntimeException | Error ex)
        {
            if (null != segment)
            {
                segment.close();
            }
            if (memory instanceof NodeArena.ArenaBlock)
            {
                ((NodeArena.ArenaBlock)memory).abandon(null != placement);
            }
            throw ex;
        }
    }

    /**
     * Every rank on one node, node groups of the communicator's own: the handle goes through node memory
     * and nothing is sent; a failure anywhere takes the general agreement, which says where.
     */
    private void mapOnOneNode(final Communicator comm, final String op, final NodeSync fast)
    {
        final long bytes = Extents.count(shape) * type.byteSize();
        final boolean leader = nodeEp.rank() == 0;
        String problem = null;
        Throwable cause = null;
        byte[] payload = new byte[0];
        if (leader)
        {
            try
            {
                payload = createMarked(comm, bytes, type.dtype() + "-one-node");
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                problem = "could not create " + bytes + " bytes of node memory: " + ex;
                cause = ex;
            }
        }
        final byte[] received = fast.broadcastFromLeader(op, payload);
        if (!leader)
        {
            if (received.length == 0)
            {
                problem = "node-rank 0 of this node could not create the node memory";
            }
            else
            {
                try
                {
                    problem = attachMarked(comm, received, bytes);
                }
                catch (final RuntimeException ex)
                {
                    problem = "could not map the node memory made by node-rank 0: " + ex;
                    cause = ex;
                }
            }
        }
        // The outcome's reduction is also the barrier after which every rank has mapped the memory.
        final Agreement.Status status = Agreement.Status.of(problem, Agreement.Status.FAILURE);
        final NodeSync.MinMax outcome = fast.minMax(op, status.code());
        if (outcome.max(0) != Agreement.Status.OK.code())
        {
            Agreement.raiseIfAny(ep, op, Agreement.exchange(ep, status), problem, cause);
        }
        if (leader)
        {
            allAttached();
        }
        places = new NodePlace[ep.size()];
        for (int rank = 0; rank < places.length; rank++)
        {
            places[rank] = new NodePlace(0, rank, places.length); // the communicator's own split keeps rank order
        }
    }

    /**
     * On node-rank 0: creates the zero-filled segment and writes a random token into it, or hands out a block of
     * the communicator's arena.
     *
     * @return what the other ranks of the node need to map it: its kind, then the token and the segment's handle,
     * or the arena's description of the block.
     */
    private byte[] createMarked(final Communicator comm, final long bytes, final String label)
    {
        if (null != arena)
        {
            placement = arena.allocate(bytes, nodeEp.size(), label);
            memory = arena.hold(placement, bytes);
            final byte[] description = arena.describe(placement);
            return ByteBuffer.allocate(1 + description.length).put(ARENA_MEMORY).put(description).array();
        }
        segment = comm.nodeMemory().create(bytes, NodeSync.controlBytes(nodeEp.size()), label);
        memory = ArrayMemory.of(segment);
        final long token = TOKENS.nextLong() | 1;
        NodeSync.writeToken(segment.control(), token);
        return ByteBuffer.allocate(1 + 8 + segment.handle().length).put(SEGMENT_MEMORY).putLong(token)
            .put(segment.handle()).array();
    }

    /**
     * On the other ranks: maps the memory {@link #createMarked} described and checks its token.
     *
     * @return why the memory is not shared with node-rank 0, or null.
     */
    private String attachMarked(final Communicator comm, final byte[] marked, final long bytes)
    {
        if (marked[0] == ARENA_MEMORY)
        {
            if (null == arena)
            {
                return "node-rank 0 of this node put the array in the node arena, this rank expected a segment";
            }
            try
            {
                memory = arena.attach(Arrays.copyOfRange(marked, 1, marked.length), bytes);
                return null;
            }
            catch (final IllegalStateException ex)
            {
                return ex.getMessage();
            }
        }
        if (null != arena)
        {
            return "node-rank 0 of this node gave the array a segment, this rank expected the node arena";
        }
        segment = comm.nodeMemory().attach(Arrays.copyOfRange(marked, 9, marked.length), bytes,
            NodeSync.controlBytes(nodeEp.size()));
        memory = ArrayMemory.of(segment);
        final String layout = NodeSync.attachProblem(segment.control());
        if (null != layout)
        {
            return layout;
        }
        return NodeSync.readToken(segment.control()) == ByteBuffer.wrap(marked, 1, 8).getLong() ? null :
            "the node memory mapped here is not the one node-rank 0 of this node created: " +
            "the ranks of the node communicator do not share memory (are they on different hosts?)";
    }

    /** On node-rank 0, once every rank of the node has mapped the memory: its handle may go. */
    private void allAttached()
    {
        if (null != segment)
        {
            segment.allAttached();
        }
        if (null != placement)
        {
            arena.allAttached(placement);
        }
    }

    private void mapNodeMemory(final Communicator comm, final String op)
    {
        final long bytes = Extents.count(shape) * type.byteSize();
        final String label = type.dtype() + Extents.text(shape).replace(" ", "") + "-node" + nodeRankEp.rank();
        final boolean leader = nodeEp.rank() == 0;
        String problem = null;
        Throwable cause = null;
        final byte[] status = new byte[STATUS_BYTES];
        if (leader)
        {
            try
            {
                encode(status, HANDLE, createMarked(comm, bytes, label));
            }
            catch (final RuntimeException | OutOfMemoryError ex)
            {
                problem = "could not create " + bytes + " bytes of node memory: " + ex;
                cause = ex;
                encode(status, PROBLEM, problem.getBytes(StandardCharsets.UTF_8));
            }
        }
        nodeEp.broadcast(status, 0, status.length, 0);
        final byte[] payload = Arrays.copyOfRange(status, STATUS_HEADER,
            STATUS_HEADER + ByteBuffer.wrap(status, 1, 4).getInt());
        if (!leader)
        {
            if (status[0] == HANDLE)
            {
                try
                {
                    problem = attachMarked(comm, payload, bytes);
                }
                catch (final RuntimeException ex)
                {
                    problem = "could not map the node memory made by node-rank 0: " + ex;
                    cause = ex;
                }
            }
            else
            {
                problem = "node-rank 0 of this node failed: " + new String(payload, StandardCharsets.UTF_8);
            }
        }
        nodeEp.barrier();
        if (leader && null != memory)
        {
            try
            {
                allAttached();
            }
            catch (final RuntimeException ex)
            {
                problem = "could not finish setting up node memory: " + ex;
                cause = ex;
            }
        }
        final long[] place = new long[3];
        place[NODE_RANK] = nodeEp.rank();
        place[NODE_SIZE] = nodeEp.size();
        place[NODE_INDEX] = nodeRankEp.rank();
        final Agreement.Facts facts = Agreement.exchange(ep, Agreement.Status.of(problem, Agreement.Status.FAILURE),
            place);
        Agreement.raiseIfAny(ep, op, facts, problem, cause);
        places = new NodePlace[ep.size()];
        for (int rank = 0; rank < places.length; rank++)
        {
            places[rank] = new NodePlace((int)facts.fact(rank, NODE_INDEX), (int)facts.fact(rank, NODE_RANK),
                (int)facts.fact(rank, NODE_SIZE));
        }
    }

    /** Node-rank 0's message to its node: {@code kind}, then the payload's length and the payload. */
    private static void encode(final byte[] status, final byte kind, final byte[] payload)
    {
        if (kind == HANDLE && payload.length > status.length - STATUS_HEADER)
        {
            throw new PshmemException("node memory handle of " + payload.length + " bytes is too long");
        }
        final int length = Math.min(payload.length, status.length - STATUS_HEADER);
        status[0] = kind;
        ByteBuffer.wrap(status, 1, 4).putInt(length);
        System.arraycopy(payload, 0, status, STATUS_HEADER, length);
    }
}
