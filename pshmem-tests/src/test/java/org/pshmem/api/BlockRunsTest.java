package org.pshmem.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * How a block of an array is cut into runs of consecutive elements: whole trailing dimensions merge into one run,
 * a sub-range starts and ends mid-run, and runs are cut at the largest length asked for.
 */
class BlockRunsTest
{
    private record Run(long arrayIndex, long blockIndex, int length)
    {
    }

    private static List<Run> runs(final long[] shape, final long[] offset, final long[] block, final long from,
        final long to, final int maxRun)
    {
        final List<Run> runs = new ArrayList<>();
        new BlockRuns(shape, offset, block).forEach(from, to, maxRun, (a, b, n) -> runs.add(new Run(a, b, n)));
        return runs;
    }

    private static List<Run> runs(final long[] shape, final long[] offset, final long[] block)
    {
        return runs(shape, offset, block, 0, Extents.count(block), Integer.MAX_VALUE);
    }

    @Test
    void wholeRowsAreOneRun()
    {
        assertEquals(List.of(new Run(5, 0, 10)), runs(new long[] {4, 5}, new long[] {1, 0}, new long[] {2, 5}));
    }

    @Test
    void partRowsAreOneRunPerRow()
    {
        assertEquals(List.of(new Run(6, 0, 3), new Run(11, 3, 3)),
            runs(new long[] {3, 5}, new long[] {1, 1}, new long[] {2, 3}));
    }

    @Test
    void fullTrailingDimensionsMergeAboveAPartialOne()
    {
        // Rows 1-2 of plane 1 of a (2, 3, 4) array are 8 consecutive elements from 12 + 4.
        assertEquals(List.of(new Run(16, 0, 8)),
            runs(new long[] {2, 3, 4}, new long[] {1, 1, 0}, new long[] {1, 2, 4}));
    }

    @Test
    void aSubRangeStartsAndEndsInsideRuns()
    {
        assertEquals(List.of(new Run(7, 1, 2), new Run(11, 3, 2)),
            runs(new long[] {3, 5}, new long[] {1, 1}, new long[] {2, 3}, 1, 5, Integer.MAX_VALUE));
    }

    @Test
    void runsAreCutAtTheLargestLength()
    {
        assertEquals(List.of(new Run(0, 0, 4), new Run(4, 4, 4), new Run(8, 8, 2)),
            runs(new long[] {10}, new long[] {0}, new long[] {10}, 0, 10, 4));
    }

    @Test
    void anEmptyBlockOrRangeHasNoRuns()
    {
        assertEquals(0, new BlockRuns(new long[] {3, 5}, new long[] {0, 0}, new long[] {0, 5}).blockCount());
        assertEquals(List.of(), runs(new long[] {3, 5}, new long[] {0, 0}, new long[] {0, 5}));
        assertEquals(List.of(), runs(new long[] {3, 5}, new long[] {0, 0}, new long[] {3, 5}, 4, 4, 8));
    }

    /** Random blocks of random arrays: the runs, expanded, are the block's elements in row-major order. */
    @Test
    void runsCoverEveryBlockElementInOrder()
    {
        final Random random = new Random(12);
        for (int trial = 0; trial < 500; trial++)
        {
            final int dims = 1 + random.nextInt(4);
            final long[] shape = new long[dims];
            final long[] offset = new long[dims];
            final long[] block = new long[dims];
            for (int d = 0; d < dims; d++)
            {
                shape[d] = 1 + random.nextInt(6);
                block[d] = random.nextInt((int)shape[d] + 1);
                offset[d] = random.nextInt((int)(shape[d] - block[d]) + 1);
            }
            final long count = Extents.count(block);
            final long from = count == 0 ? 0 : random.nextInt((int)count);
            final long to = from + (count == from ? 0 : random.nextInt((int)(count - from) + 1));
            final int maxRun = 1 + random.nextInt(7);
            final List<Long> seen = new ArrayList<>();
            long next = from;
            for (final Run run : runs(shape, offset, block, from, to, maxRun))
            {
                assertEquals(next, run.blockIndex(), "runs follow each other");
                assertEquals(true, run.length() >= 1 && run.length() <= maxRun, "run length " + run.length());
                for (int k = 0; k < run.length(); k++)
                {
                    seen.add(run.arrayIndex() + k);
                }
                next += run.length();
            }
            assertEquals(expectedIndices(shape, offset, block, from, to), seen,
                "shape " + Extents.text(shape) + " offset " + Extents.text(offset) + " block " + Extents.text(block) +
                " from " + from + " to " + to + " max " + maxRun);
        }
    }

    /** The array index of each block element from {@code from} to {@code to}, one by one. */
    private static List<Long> expectedIndices(final long[] shape, final long[] offset, final long[] block,
        final long from, final long to)
    {
        final long[] strides = Extents.strides(shape);
        final List<Long> indices = new ArrayList<>();
        for (long element = from; element < to; element++)
        {
            long rest = element;
            long index = 0;
            for (int d = block.length - 1; d >= 0; d--)
            {
                index += (offset[d] + rest % block[d]) * strides[d];
                rest /= block[d];
            }
            indices.add(index);
        }
        return indices;
    }
}
