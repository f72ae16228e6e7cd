package org.pshmem.api;

/**
 * Maps a row-major block of an array (a sub-array at an offset) onto runs of consecutive array elements.
 * Trailing dimensions that the block spans fully are merged, so a block of whole rows is one run.
 */
final class BlockRuns
{
    /** Receives one run: {@code length} elements from {@code arrayIndex} of the array, which are elements
     *  {@code blockIndex ...} of the block in row-major order. */
    interface Consumer
    {
        void run(long arrayIndex, long blockIndex, int length);
    }

    private final long[] arrayStrides;
    private final long[] offset;
    private final long[] blockShape;
    private final int runDim;
    private final long runLength;
    private final long blockCount;

    BlockRuns(final long[] arrayShape, final long[] offset, final long[] blockShape)
    {
        this.arrayStrides = Extents.strides(arrayShape);
        this.offset = offset;
        this.blockShape = blockShape;
        int dim = arrayShape.length - 1;
        while (dim > 0 && blockShape[dim] == arrayShape[dim])
        {
            dim--;
        }
        this.runDim = dim;
        this.runLength = blockShape[dim] * arrayStrides[dim];
        this.blockCount = Extents.count(blockShape);
    }

    long blockCount()
    {
        return blockCount;
    }

    /**
     * Calls {@code consumer} for the runs that cover block elements {@code from} (inclusive) to {@code to}
     * (exclusive), in order; a run is cut at {@code maxRun} elements.
     */
    void forEach(final long from, final long to, final int maxRun, final Consumer consumer)
    {
        if (to <= from || runLength == 0)
        {
            return;
        }
        final long[] index = new long[runDim];
        long run = from / runLength;
        for (int d = runDim - 1; d >= 0; d--)
        {
            index[d] = run % blockShape[d];
            run /= blockShape[d];
        }
        long inner = from % runLength;
        long position = from;
        while (position < to)
        {
            long start = offset[runDim] * arrayStrides[runDim] + inner;
            for (int d = 0; d < runDim; d++)
            {
                start += (offset[d] + index[d]) * arrayStrides[d];
            }
            final int length = (int)Math.min(Math.min(runLength - inner, to - position), maxRun);
            consumer.run(start, position, length);
            position += length;
            inner += length;
            if (inner == runLength)
            {
                inner = 0;
                for (int d = runDim - 1; d >= 0 && ++index[d] == blockShape[d]; d--)
                {
                    index[d] = 0;
                }
            }
        }
    }
}
