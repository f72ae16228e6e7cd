package org.pshmem.bench;

import java.nio.DoubleBuffer;

/**
 * The summing loops the benchmarks share, written alike for a heap array and a view (two accumulators, so
 * both are limited by memory rather than by the latency of one chain of additions). The loop test is
 * {@code i < length - 1}, not {@code i + 1 < length}: with the latter, C2 (JDK 17) keeps the buffer's index
 * checks in a loop over a {@code DoubleBuffer} (a read-only direct view or not, alike), which then runs at
 * 0.85 of the array loop; with the former, both run at the same speed.
 */
public final class ReadLoops
{
    private ReadLoops()
    {
    }

    /**
     * @param values a heap array.
     * @return the sum of its elements.
     */
    public static double sum(final double[] values)
    {
        final int last = values.length - 1;
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i < last; i += 2)
        {
            s0 += values[i];
            s1 += values[i + 1];
        }
        if (i < values.length)
        {
            s0 += values[i];
        }
        return s0 + s1;
    }

    /**
     * @param values a view, read with absolute {@code get(i)}.
     * @return the sum of its elements.
     */
    public static double sum(final DoubleBuffer values)
    {
        final int limit = values.limit();
        final int last = limit - 1;
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i < last; i += 2)
        {
            s0 += values.get(i);
            s1 += values.get(i + 1);
        }
        if (i < limit)
        {
            s0 += values.get(i);
        }
        return s0 + s1;
    }
}
