package org.pshmem.api;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.NodeSegment;
import org.pshmem.spi.Setting;
import org.pshmem.spi.Windows;

/**
 * This rank's part of a communicator's node arena: the segments ("chunks", {@link ArenaLayout}) from which the
 * node's small arrays are carved, so that making or freeing one is node-local work in shared memory, with no
 * file, mapping or descriptor per array. Owned by the {@link Communicator}; the arrays made on it share its
 * node synchronisation.
 *
 * <p>Only node-rank 0 of the node hands out blocks (creation is collective, and it is the rank that makes node
 * memory), from blocks given back, else from the free end of the last chunk, else from a new chunk, each new
 * chunk twice the last up to {@value ArenaLayout#MAX_CHUNK_BYTES} bytes. Any rank gives a block back: the last of
 * the node's ranks to close the array puts it on its chunk's returned list, which node-rank 0 takes whole
 * before it hands out the next block. A block of an array whose view escaped on some rank is zeroed by the last
 * closer and not reused until the arena goes, so a view kept past close reads zeros, never another array.
 *
 * <p>Its methods are synchronized, as an array may be closed on another thread than its communicator's.
 *
 * <p>Chunks are segments of the transport: without a name, so they go when the node's last rank unmaps
 * them or ends, whatever the way. A rank unmaps its chunks once its communicator is closed and its last
 * array of the arena is closed.
 */
final class NodeArena
{
    private static final ThresholdSetting SETTING = ThresholdSetting.read();
    private static final SecureRandom TOKENS = new SecureRandom();
    private static final int PAYLOAD_FIELDS_BYTES = 4 * Integer.BYTES + 2 * Long.BYTES + Integer.BYTES;

    /** Where node-rank 0 put an array: its chunk and block, and the chunk's handle while a rank may still map it. */
    record Placement(int chunk, int block, int sizeClass, long blockToken)
    {
        private static final int BLOCK_SHIFT = 8;
        private static final int CHUNK_SHIFT = 40;

        /** @return chunk, block and size class in one positive long, for a reduction in node memory. */
        long packed()
        {
            return (long)chunk << CHUNK_SHIFT | (long)block << BLOCK_SHIFT | sizeClass;
        }

        static Placement unpacked(final long packed, final long blockToken)
        {
            return new Placement((int)(packed >>> CHUNK_SHIFT), (int)(packed >>> BLOCK_SHIFT),
                (int)(packed & 0xff), blockToken);
        }
    }

    private final NodeMemory memory;
    private final List<Chunk> chunks = new ArrayList<>();
    /** Node-rank 0 only: blocks given back, by size class, as chunk index << 32 | block offset. */
    private final List<ArrayDeque<Long>> freeBlocks = new ArrayList<>();
    private int freeEnd = ArenaLayout.FIRST_BLOCK_OFFSET;
    private int nextChunkBytes = ArenaLayout.MIN_CHUNK_BYTES;
    private int liveBlocks;
    private Runnable afterRelease;
    private boolean released;

    private static final class Chunk
    {
        final int index;
        final NodeSegment segment;
        final NodeBuffer buffer;
        final long token;
        /** On the creator: every rank of the node may not have mapped it yet, so its handle must stay valid. */
        boolean pendingAttach;
        /** A view of one of its arrays escaped on this rank. */
        boolean viewEscaped;

        Chunk(final int index, final NodeSegment segment, final long token, final boolean pendingAttach)
        {
            this.index = index;
            this.segment = segment;
            this.buffer = new NodeBuffer(segment.window(0));
            this.token = token;
            this.pendingAttach = pendingAttach;
        }
    }

    NodeArena(final NodeMemory memory)
    {
        this.memory = memory;
    }

    /** @return true when an array of {@code bytes} bytes is carved from an arena. */
    static boolean serves(final long bytes)
    {
        return SETTING.bytes() > 0 && bytes <= SETTING.bytes();
    }

    /**
     * Node-rank 0: hands out a zero-filled block for {@code dataBytes} bytes, held by {@code holders} ranks of
     * the node, making a new chunk when no room is left.
     */
    synchronized Placement allocate(final long dataBytes, final int holders, final String label)
    {
        final Placement placement = allocateInMappedChunk(dataBytes, holders);
        if (null != placement)
        {
            return placement;
        }
        addChunk(ArenaLayout.chunkBytes(nextChunkBytes, ArenaLayout.sizeClass(dataBytes)), label);
        return allocateInMappedChunk(dataBytes, holders);
    }

    /**
     * Node-rank 0: hands out a zero-filled block as {@link #allocate} does, when one fits in a chunk that every
     * rank of the node has mapped.
     *
     * @return the block, or null when a new chunk would be needed.
     */
    synchronized Placement allocateInMappedChunk(final long dataBytes, final int holders)
    {
        checkOpen();
        final int sizeClass = ArenaLayout.sizeClass(dataBytes);
        takeReturnedBlocks();
        final ArrayDeque<Long> free = freeList(sizeClass);
        final long token = TOKENS.nextLong() | 1;
        if (!free.isEmpty())
        {
            final long place = free.pop();
            final Chunk chunk = chunks.get((int)(place >>> 32));
            final int block = (int)place;
            ArenaLayout.formatBlock(chunk.buffer, block, sizeClass, holders, token, true);
            return new Placement(chunk.index, block, sizeClass, token);
        }
        final int blockBytes = ArenaLayout.blockBytes(sizeClass);
        if (chunks.isEmpty() || freeEnd + (long)blockBytes > last().buffer.capacity())
        {
            return null;
        }
        final Chunk chunk = last();
        final int block = freeEnd;
        freeEnd += blockBytes;
        ArenaLayout.formatBlock(chunk.buffer, block, sizeClass, holders, token, false);
        return new Placement(chunk.index, block, sizeClass, token);
    }

    /** Node-rank 0: what the node's other ranks need to map {@code placement}. */
    synchronized byte[] describe(final Placement placement)
    {
        final Chunk chunk = chunks.get(placement.chunk());
        final byte[] handle = chunk.pendingAttach ? chunk.segment.handle() : new byte[0];
        return ByteBuffer.allocate(PAYLOAD_FIELDS_BYTES + handle.length)
            .putInt(placement.chunk()).putInt(placement.block()).putInt(placement.sizeClass())
            .putInt(chunk.buffer.capacity()).putLong(chunk.token).putLong(placement.blockToken())
            .putInt(handle.length).put(handle).array();
    }

    /**
     * Node-rank 0: makes the block this rank's array memory for {@code dataBytes} bytes.
     */
    synchronized ArenaBlock hold(final Placement placement, final long dataBytes)
    {
        liveBlocks++;
        return new ArenaBlock(this, chunks.get(placement.chunk()), placement.block(), dataBytes);
    }

    /**
     * The node's other ranks: maps the chunk if it is new here and checks the block.
     *
     * @return the array memory, or throws {@link IllegalStateException} naming what does not match.
     */
    synchronized ArenaBlock attach(final byte[] description, final long dataBytes)
    {
        checkOpen();
        final ByteBuffer in = ByteBuffer.wrap(description);
        final int index = in.getInt();
        final int block = in.getInt();
        final int sizeClass = in.getInt();
        final int chunkBytes = in.getInt();
        final long chunkToken = in.getLong();
        final long blockToken = in.getLong();
        final byte[] handle = new byte[in.getInt()];
        in.get(handle);
        while (chunks.size() <= index)
        {
            chunks.add(null);
        }
        Chunk chunk = chunks.get(index);
        if (null == chunk) // chunk indices are never reused within an arena
        {
            if (handle.length == 0)
            {
                throw new IllegalStateException("arena chunk " + index + " was never mapped on this rank");
            }
            final NodeSegment segment = memory.attach(handle, chunkBytes, 0);
            chunk = new Chunk(index, segment, chunkToken, false);
            final String problem = ArenaLayout.chunkProblem(chunk.buffer, index, chunkToken);
            if (null != problem)
            {
                segment.closeNow();
                throw new IllegalStateException(problem);
            }
            chunks.set(index, chunk);
        }
        final String problem = ArenaLayout.blockProblem(chunk.buffer, block, blockToken);
        if (null != problem || ArenaLayout.sizeClassOf(chunk.buffer, block) != sizeClass)
        {
            throw new IllegalStateException(null != problem ? problem : "arena block size class differs");
        }
        liveBlocks++;
        return new ArenaBlock(this, chunk, block, dataBytes);
    }

    /**
     * The node's other ranks: the block {@link #allocateInMappedChunk} handed out, in a chunk mapped here.
     *
     * @throws PshmemException when the block is not there: node memory was changed by something else.
     */
    synchronized ArenaBlock attachMapped(final Placement placement, final long dataBytes)
    {
        checkOpen();
        final Chunk chunk = placement.chunk() < chunks.size() ? chunks.get(placement.chunk()) : null;
        final String problem = null == chunk ? "arena chunk " + placement.chunk() + " is not mapped here" :
            ArenaLayout.blockProblem(chunk.buffer, placement.block(), placement.blockToken());
        if (null != problem)
        {
            throw new PshmemException("node memory of the communicator's arena is not as node-rank 0 left it: " +
                problem);
        }
        liveBlocks++;
        return new ArenaBlock(this, chunk, placement.block(), dataBytes);
    }

    /** Node-rank 0: takes back a block handed out for a creation that did not go ahead; no rank holds it. */
    synchronized void giveBack(final Placement placement)
    {
        ArenaLayout.pushReturned(chunks.get(placement.chunk()).buffer, placement.block());
    }

    /** Node-rank 0, once every rank of the node has mapped the placement: the chunk's handle may go. */
    synchronized void allAttached(final Placement placement)
    {
        final Chunk chunk = chunks.get(placement.chunk());
        if (chunk.pendingAttach)
        {
            chunk.pendingAttach = false;
            chunk.segment.allAttached();
        }
    }

    /**
     * Lets go of the arena once this rank's arrays of it are closed, then runs {@code then} (once). Idempotent.
     */
    synchronized void release(final Runnable then)
    {
        if (!released)
        {
            released = true;
            afterRelease = then;
            releaseIfUnused();
        }
    }

    /** @return the bytes of node memory this rank maps for the arena: its chunks' sizes. */
    synchronized long mappedBytes()
    {
        return chunks.stream().filter(c -> null != c).mapToLong(c -> c.buffer.capacity()).sum();
    }

    /** @return the number of chunks this rank maps. */
    synchronized int chunkCount()
    {
        return (int)chunks.stream().filter(c -> null != c).count();
    }

    /** @return the bytes kept out of reuse in this rank's chunks because a view of their array escaped. */
    synchronized long retiredBytes()
    {
        return chunks.stream().filter(c -> null != c).mapToLong(c -> ArenaLayout.retiredBytes(c.buffer)).sum();
    }

    /** Called by a block whose creation failed on some rank, on every rank: node-rank 0 takes the block back. */
    synchronized void abandoned(final Chunk chunk, final int block, final boolean placedHere)
    {
        if (placedHere)
        {
            ArenaLayout.pushReturned(chunk.buffer, block);
        }
        liveBlocks--;
        releaseIfUnused();
    }

    /** Called by a block at its close. */
    synchronized void closed(final Chunk chunk, final int block, final boolean viewEscaped)
    {
        if (viewEscaped)
        {
            chunk.viewEscaped = true;
            ArenaLayout.markViewEscaped(chunk.buffer, block);
        }
        if (ArenaLayout.releaseHolder(chunk.buffer, block))
        {
            if (ArenaLayout.viewEscaped(chunk.buffer, block))
            {
                final int bytes = 1 << ArenaLayout.sizeClassOf(chunk.buffer, block);
                chunk.buffer.setZeros(ArenaLayout.dataOffset(block), bytes);
                ArenaLayout.addRetired(chunk.buffer, bytes);
            }
            else
            {
                ArenaLayout.pushReturned(chunk.buffer, block);
            }
        }
        liveBlocks--;
        releaseIfUnused();
    }

    private void releaseIfUnused()
    {
        if (released && liveBlocks == 0)
        {
            for (final Chunk chunk : chunks)
            {
                if (null != chunk)
                {
                    if (chunk.viewEscaped)
                    {
                        chunk.segment.close();
                    }
                    else
                    {
                        chunk.segment.closeNow();
                    }
                }
            }
            chunks.clear();
            freeBlocks.clear();
            final Runnable then = afterRelease;
            afterRelease = null;
            if (null != then)
            {
                then.run();
            }
        }
    }

    private void takeReturnedBlocks()
    {
        for (final Chunk chunk : chunks)
        {
            for (int block = ArenaLayout.takeReturned(chunk.buffer); block != 0;
                block = ArenaLayout.nextReturned(chunk.buffer, block))
            {
                freeList(ArenaLayout.sizeClassOf(chunk.buffer, block)).push((long)chunk.index << 32 | block);
            }
        }
    }

    private ArrayDeque<Long> freeList(final int sizeClass)
    {
        while (freeBlocks.size() <= sizeClass)
        {
            freeBlocks.add(new ArrayDeque<>());
        }
        return freeBlocks.get(sizeClass);
    }

    private void addChunk(final int bytes, final String label)
    {
        final NodeSegment segment = memory.create(bytes, 0, label + "-arena" + chunks.size());
        final long token = TOKENS.nextLong() | 1;
        final Chunk chunk;
        try
        {
            chunk = new Chunk(chunks.size(), segment, token, true);
            ArenaLayout.formatChunk(chunk.buffer, chunk.index, token);
        }
        catch (final RuntimeException ex)
        {
            segment.closeNow();
            throw ex;
        }
        chunks.add(chunk);
        freeEnd = ArenaLayout.FIRST_BLOCK_OFFSET;
        nextChunkBytes = Math.min(ArenaLayout.MAX_CHUNK_BYTES, Math.max(nextChunkBytes, bytes) * 2);
    }

    private Chunk last()
    {
        return chunks.get(chunks.size() - 1);
    }

    private void checkOpen()
    {
        if (released)
        {
            throw new IllegalStateException("the communicator's node arena was released");
        }
    }

    /** @return why the setting cannot be used, or null. */
    static String settingProblem()
    {
        return SETTING.problem();
    }

    /** The threshold setting, read once: its value, or why it cannot be used (then no array is small). */
    private record ThresholdSetting(long bytes, String problem)
    {
        static ThresholdSetting read()
        {
            final long bytes;
            try
            {
                bytes = Setting.SMALL_ARRAY_BYTES.longValue();
            }
            catch (final IllegalStateException ex)
            {
                return new ThresholdSetting(-1, ex.getMessage());
            }
            if (bytes < 0 || bytes > ArenaLayout.maxDataBytes())
            {
                return new ThresholdSetting(-1, "setting " + Setting.SMALL_ARRAY_BYTES.sources() + " is " + bytes +
                    ", not 0 to " + ArenaLayout.maxDataBytes());
            }
            // The tests' small windows would cut a chunk; there every array has a segment of its own.
            return new ThresholdSetting((1L << Windows.SHIFT) < ArenaLayout.MAX_CHUNK_BYTES ? -1 : bytes, null);
        }
    }

    /** One array's memory: a block of a chunk. */
    static final class ArenaBlock implements ArrayMemory
    {
        private final NodeArena arena;
        private final Chunk chunk;
        private final int block;
        private final long dataBytes;
        private boolean closed;

        ArenaBlock(final NodeArena arena, final Chunk chunk, final int block, final long dataBytes)
        {
            this.arena = arena;
            this.chunk = chunk;
            this.block = block;
            this.dataBytes = dataBytes;
        }

        @Override
        public int windowShift()
        {
            return Windows.SHIFT;
        }

        @Override
        public int windowCount()
        {
            return Windows.count(dataBytes);
        }

        @Override
        public ByteBuffer window(final int index)
        {
            if (index != 0 || dataBytes == 0)
            {
                throw new IndexOutOfBoundsException("window " + index + " of " + windowCount());
            }
            return chunk.buffer.slice(ArenaLayout.dataOffset(block), (int)dataBytes);
        }

        /** Lets go of a block whose creation failed: no rank holds it; node-rank 0 ({@code placedHere}) reuses it. */
        void abandon(final boolean placedHere)
        {
            if (!closed)
            {
                closed = true;
                arena.abandoned(chunk, block, placedHere);
            }
        }

        @Override
        public void close(final boolean viewsEscaped)
        {
            if (!closed)
            {
                closed = true;
                arena.closed(chunk, block, viewsEscaped);
            }
        }
    }
}
