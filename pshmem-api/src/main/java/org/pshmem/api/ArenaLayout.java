package org.pshmem.api;

/**
 * The layout of a node arena's chunk: one node-memory segment from which the node's small arrays are carved
 * ({@link NodeArena}). Every offset below is derived from the one before it; this class is the only one that
 * knows them. Native byte order; every field is 8-byte aligned, blocks and their data 64-byte aligned.
 *
 * <pre>
 *   chunk (a segment's data part, a power of two of at least {@link #MIN_CHUNK_BYTES} bytes):
 *   0     LayoutHeader        magic "PSHM-ARN", version           16 bytes
 *   16    chunk index         the chunk's place in its arena       8
 *   24    token               random, written by the creator       8
 *   32    returned head       offset of the first block given      8   push: compareAndSetLong by any rank
 *                             back and not yet reused, 0 = none        take: getAndSetLong by the node leader
 *   40    retired bytes       blocks kept out of reuse because a   8   getAndAddLong
 *                             view of them escaped
 *   48    (zero)                                                  16
 *   64    first block
 *
 *   block at offset b (64 + data capacity bytes):
 *   b+0   LayoutHeader        magic "PSHM-BLK", version           16
 *   b+16  size class          data capacity is 1 &lt;&lt; class        8
 *   b+24  holders             ranks of the node that have not      8   getAndAddLong(-1) at close
 *                             closed the array
 *   b+32  next returned       the next block of the returned list  8   written before the push
 *   b+40  flags               {@link #VIEW_ESCAPED}                8   getAndBitwiseOrLong
 *   b+48  token               random, checked by every attacher    8
 *   b+56  (zero)                                                   8
 *   b+64  data                1 &lt;&lt; class bytes, zero-filled when handed out
 * </pre>
 */
final class ArenaLayout
{
    static final LayoutHeader CHUNK_HEADER = new LayoutHeader(0x4e52412d4d485350L, 1, "an array arena chunk");
    static final LayoutHeader BLOCK_HEADER = new LayoutHeader(0x4b4c422d4d485350L, 1, "an array arena block");

    static final int CHUNK_INDEX_OFFSET = LayoutHeader.BYTES;
    static final int CHUNK_TOKEN_OFFSET = CHUNK_INDEX_OFFSET + Long.BYTES;
    static final int RETURNED_HEAD_OFFSET = CHUNK_TOKEN_OFFSET + Long.BYTES;
    static final int RETIRED_BYTES_OFFSET = RETURNED_HEAD_OFFSET + Long.BYTES;
    /** Where the first block of a chunk starts. */
    static final int FIRST_BLOCK_OFFSET = 64;

    static final int SIZE_CLASS_OFFSET = LayoutHeader.BYTES;
    static final int HOLDERS_OFFSET = SIZE_CLASS_OFFSET + Long.BYTES;
    static final int NEXT_RETURNED_OFFSET = HOLDERS_OFFSET + Long.BYTES;
    static final int FLAGS_OFFSET = NEXT_RETURNED_OFFSET + Long.BYTES;
    static final int BLOCK_TOKEN_OFFSET = FLAGS_OFFSET + Long.BYTES;
    /** Bytes of a block before its data. */
    static final int BLOCK_HEADER_BYTES = 64;

    /** Flag: a rank took a view of the array, so its block is zeroed at the end and never reused. */
    static final long VIEW_ESCAPED = 1;
    /** The smallest data capacity, 64 bytes, so that every block stays 64-byte aligned. */
    static final int MIN_SIZE_CLASS = 6;
    static final int MIN_CHUNK_BYTES = 1 << 20;
    static final int MAX_CHUNK_BYTES = 1 << 26;

    static
    {
        if (BLOCK_TOKEN_OFFSET + Long.BYTES > BLOCK_HEADER_BYTES || RETIRED_BYTES_OFFSET + Long.BYTES > FIRST_BLOCK_OFFSET)
        {
            throw new AssertionError("arena headers overlap their data");
        }
    }

    private ArenaLayout()
    {
    }

    /** @return the size class of data of {@code bytes}: the smallest power of two that holds it, at least 64. */
    static int sizeClass(final long bytes)
    {
        return Math.max(MIN_SIZE_CLASS, 64 - Long.numberOfLeadingZeros(Math.max(1, bytes) - 1));
    }

    /** @return the bytes of a block whose data is of size class {@code sizeClass}. */
    static int blockBytes(final int sizeClass)
    {
        return BLOCK_HEADER_BYTES + (1 << sizeClass);
    }

    /** @return the offset of a block's data. */
    static int dataOffset(final int block)
    {
        return block + BLOCK_HEADER_BYTES;
    }

    /** @return the largest data a block of a chunk of at most {@link #MAX_CHUNK_BYTES} may have. */
    static long maxDataBytes()
    {
        return MAX_CHUNK_BYTES - FIRST_BLOCK_OFFSET - BLOCK_HEADER_BYTES;
    }

    /**
     * @return the size of a new chunk: {@code next}, or the smallest power of two that holds a block of
     * {@code sizeClass} after the chunk header, if larger.
     */
    static int chunkBytes(final int next, final int sizeClass)
    {
        final long needed = FIRST_BLOCK_OFFSET + (long)blockBytes(sizeClass);
        return (int)Math.max(next, Long.highestOneBit(needed - 1) << 1);
    }

    /** Makes a new chunk's header; the chunk's memory is zeros. */
    static void formatChunk(final NodeBuffer chunk, final int index, final long token)
    {
        chunk.putLong(CHUNK_INDEX_OFFSET, index);
        chunk.putLong(CHUNK_TOKEN_OFFSET, token);
        CHUNK_HEADER.stamp(chunk, 0);
    }

    /** @return why {@code chunk} is not chunk {@code index} made with {@code token}, or null. */
    static String chunkProblem(final NodeBuffer chunk, final int index, final long token)
    {
        final String layout = CHUNK_HEADER.problem(chunk, 0);
        if (null != layout)
        {
            return layout;
        }
        return chunk.getLong(CHUNK_INDEX_OFFSET) == index && chunk.getLong(CHUNK_TOKEN_OFFSET) == token ? null :
            "the arena chunk mapped here is not the one node-rank 0 of this node made: the ranks of the node " +
            "communicator do not share memory (are they on different hosts?)";
    }

    /** Prepares a block for a new array: zero data, header, {@code holders} ranks of the node. */
    static void formatBlock(final NodeBuffer chunk, final int block, final int sizeClass, final long holders,
        final long token, final boolean reused)
    {
        if (reused)
        {
            chunk.setZeros(dataOffset(block), 1 << sizeClass);
        }
        chunk.putLong(SIZE_CLASS_OFFSET + block, sizeClass);
        chunk.putLong(NEXT_RETURNED_OFFSET + block, 0);
        chunk.putLong(FLAGS_OFFSET + block, 0);
        chunk.putLong(BLOCK_TOKEN_OFFSET + block, token);
        chunk.putLong(HOLDERS_OFFSET + block, holders);
        BLOCK_HEADER.stamp(chunk, block);
    }

    /** @return why {@code block} is not the block made with {@code token}, or null. */
    static String blockProblem(final NodeBuffer chunk, final int block, final long token)
    {
        final String layout = BLOCK_HEADER.problem(chunk, block);
        if (null != layout)
        {
            return layout;
        }
        return chunk.getLong(BLOCK_TOKEN_OFFSET + block) == token ? null :
            "the arena block mapped here is not the one node-rank 0 of this node handed out";
    }

    static int sizeClassOf(final NodeBuffer chunk, final int block)
    {
        return (int)chunk.getLong(SIZE_CLASS_OFFSET + block);
    }

    /** Marks that a view of the block's array escaped on some rank. */
    static void markViewEscaped(final NodeBuffer chunk, final int block)
    {
        chunk.getAndBitwiseOrLong(FLAGS_OFFSET + block, VIEW_ESCAPED);
    }

    static boolean viewEscaped(final NodeBuffer chunk, final int block)
    {
        return (chunk.getLongVolatile(FLAGS_OFFSET + block) & VIEW_ESCAPED) != 0;
    }

    /** @return true when this rank was the block's last holder. */
    static boolean releaseHolder(final NodeBuffer chunk, final int block)
    {
        return chunk.getAndAddLong(HOLDERS_OFFSET + block, -1) == 1;
    }

    /** Puts a block on its chunk's returned list; any rank, lock-free (only the leader takes, all at once). */
    static void pushReturned(final NodeBuffer chunk, final int block)
    {
        long head;
        do
        {
            head = chunk.getLongVolatile(RETURNED_HEAD_OFFSET);
            chunk.putLongOrdered(NEXT_RETURNED_OFFSET + block, head);
        }
        while (!chunk.compareAndSetLong(RETURNED_HEAD_OFFSET, head, block));
    }

    /** @return the first of the blocks returned since the last call, 0 for none; follow with {@link #nextReturned}. */
    static int takeReturned(final NodeBuffer chunk)
    {
        return (int)chunk.getAndSetLong(RETURNED_HEAD_OFFSET, 0);
    }

    static int nextReturned(final NodeBuffer chunk, final int block)
    {
        return (int)chunk.getLongVolatile(NEXT_RETURNED_OFFSET + block);
    }

    static void addRetired(final NodeBuffer chunk, final long bytes)
    {
        chunk.getAndAddLong(RETIRED_BYTES_OFFSET, bytes);
    }

    static long retiredBytes(final NodeBuffer chunk)
    {
        return chunk.getLongVolatile(RETIRED_BYTES_OFFSET);
    }
}
