package org.pshmem.api;

import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.ShortBuffer;

/**
 * The loops behind {@code sum()}, {@code min()} and {@code max()} of the typed arrays: absolute reads of one
 * window's native-order buffer with several independent accumulators, so a loop is limited by memory rather
 * than by the latency of one chain of additions or comparisons (measured on JDK 17: eight accumulators bring a
 * {@code double} sum over node memory to the speed of the two-accumulator loop over a heap array; a bulk copy
 * into a heap chunk first is slower, as JDK 17 copies it element by element). The minimum and maximum keep a
 * NaN once seen ({@code x != x}), as numpy's {@code min}/{@code max} do.
 */
final class Reductions
{
    private Reductions()
    {
    }

    /** @return the sum of elements {@code from} to {@code to - 1}, in eight partial sums. */
    static double sum(final DoubleBuffer b, final int from, final int to)
    {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        for (; i < to - 7; i += 8)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
            s4 += b.get(i + 4);
            s5 += b.get(i + 5);
            s6 += b.get(i + 6);
            s7 += b.get(i + 7);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one), NaN when one is NaN. */
    static double min(final DoubleBuffer b, final int from, final int to)
    {
        // Branch-free compares (which skip NaN), with a sum beside them that a NaN element turns NaN: only then
        // (or for +inf and -inf together) is the run read again, element by element.
        double m0 = b.get(from);
        double m1 = m0;
        double m2 = m0;
        double m3 = m0;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int i = from + 1;
        for (; i < to - 3; i += 4)
        {
            final double x0 = b.get(i);
            final double x1 = b.get(i + 1);
            final double x2 = b.get(i + 2);
            final double x3 = b.get(i + 3);
            m0 = x0 < m0 ? x0 : m0;
            m1 = x1 < m1 ? x1 : m1;
            m2 = x2 < m2 ? x2 : m2;
            m3 = x3 < m3 ? x3 : m3;
            t0 += x0;
            t1 += x1;
            t2 += x2;
            t3 += x3;
        }
        for (; i < to; i++)
        {
            final double x = b.get(i);
            m0 = x < m0 ? x : m0;
            t0 += x;
        }
        if (Double.isNaN((t0 + t1) + (t2 + t3) + m0))
        {
            for (int k = from; k < to; k++)
            {
                if (Double.isNaN(b.get(k)))
                {
                    return Double.NaN;
                }
            }
        }
        return minOf(minOf(m0, m1), minOf(m2, m3));
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one), NaN when one is NaN. */
    static double max(final DoubleBuffer b, final int from, final int to)
    {
        // Branch-free compares (which skip NaN), with a sum beside them that a NaN element turns NaN: only then
        // (or for +inf and -inf together) is the run read again, element by element.
        double m0 = b.get(from);
        double m1 = m0;
        double m2 = m0;
        double m3 = m0;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int i = from + 1;
        for (; i < to - 3; i += 4)
        {
            final double x0 = b.get(i);
            final double x1 = b.get(i + 1);
            final double x2 = b.get(i + 2);
            final double x3 = b.get(i + 3);
            m0 = x0 > m0 ? x0 : m0;
            m1 = x1 > m1 ? x1 : m1;
            m2 = x2 > m2 ? x2 : m2;
            m3 = x3 > m3 ? x3 : m3;
            t0 += x0;
            t1 += x1;
            t2 += x2;
            t3 += x3;
        }
        for (; i < to; i++)
        {
            final double x = b.get(i);
            m0 = x > m0 ? x : m0;
            t0 += x;
        }
        if (Double.isNaN((t0 + t1) + (t2 + t3) + m0))
        {
            for (int k = from; k < to; k++)
            {
                if (Double.isNaN(b.get(k)))
                {
                    return Double.NaN;
                }
            }
        }
        return maxOf(maxOf(m0, m1), maxOf(m2, m3));
    }

    /** @return the smaller, NaN when either is NaN. */
    static double minOf(final double a, final double b)
    {
        return a != a || !(b < a) ? a : b;
    }

    /** @return the larger, NaN when either is NaN. */
    static double maxOf(final double a, final double b)
    {
        return a != a || !(b > a) ? a : b;
    }

    /** @return the sum of elements {@code from} to {@code to - 1}, in eight partial sums. */
    static double sum(final FloatBuffer b, final int from, final int to)
    {
        double s0 = 0;
        double s1 = 0;
        double s2 = 0;
        double s3 = 0;
        double s4 = 0;
        double s5 = 0;
        double s6 = 0;
        double s7 = 0;
        int i = from;
        for (; i < to - 7; i += 8)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
            s4 += b.get(i + 4);
            s5 += b.get(i + 5);
            s6 += b.get(i + 6);
            s7 += b.get(i + 7);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one), NaN when one is NaN. */
    static float min(final FloatBuffer b, final int from, final int to)
    {
        // Branch-free compares (which skip NaN), with a sum beside them that a NaN element turns NaN: only then
        // (or for +inf and -inf together) is the run read again, element by element.
        float m0 = b.get(from);
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int i = from + 1;
        for (; i < to - 3; i += 4)
        {
            final float x0 = b.get(i);
            final float x1 = b.get(i + 1);
            final float x2 = b.get(i + 2);
            final float x3 = b.get(i + 3);
            m0 = x0 < m0 ? x0 : m0;
            m1 = x1 < m1 ? x1 : m1;
            m2 = x2 < m2 ? x2 : m2;
            m3 = x3 < m3 ? x3 : m3;
            t0 += x0;
            t1 += x1;
            t2 += x2;
            t3 += x3;
        }
        for (; i < to; i++)
        {
            final float x = b.get(i);
            m0 = x < m0 ? x : m0;
            t0 += x;
        }
        if (Double.isNaN((t0 + t1) + (t2 + t3) + m0))
        {
            for (int k = from; k < to; k++)
            {
                if (Double.isNaN(b.get(k)))
                {
                    return Float.NaN;
                }
            }
        }
        return minOf(minOf(m0, m1), minOf(m2, m3));
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one), NaN when one is NaN. */
    static float max(final FloatBuffer b, final int from, final int to)
    {
        // Branch-free compares (which skip NaN), with a sum beside them that a NaN element turns NaN: only then
        // (or for +inf and -inf together) is the run read again, element by element.
        float m0 = b.get(from);
        float m1 = m0;
        float m2 = m0;
        float m3 = m0;
        double t0 = 0;
        double t1 = 0;
        double t2 = 0;
        double t3 = 0;
        int i = from + 1;
        for (; i < to - 3; i += 4)
        {
            final float x0 = b.get(i);
            final float x1 = b.get(i + 1);
            final float x2 = b.get(i + 2);
            final float x3 = b.get(i + 3);
            m0 = x0 > m0 ? x0 : m0;
            m1 = x1 > m1 ? x1 : m1;
            m2 = x2 > m2 ? x2 : m2;
            m3 = x3 > m3 ? x3 : m3;
            t0 += x0;
            t1 += x1;
            t2 += x2;
            t3 += x3;
        }
        for (; i < to; i++)
        {
            final float x = b.get(i);
            m0 = x > m0 ? x : m0;
            t0 += x;
        }
        if (Double.isNaN((t0 + t1) + (t2 + t3) + m0))
        {
            for (int k = from; k < to; k++)
            {
                if (Double.isNaN(b.get(k)))
                {
                    return Float.NaN;
                }
            }
        }
        return maxOf(maxOf(m0, m1), maxOf(m2, m3));
    }

    /** @return the smaller, NaN when either is NaN. */
    static float minOf(final float a, final float b)
    {
        return a != a || !(b < a) ? a : b;
    }

    /** @return the larger, NaN when either is NaN. */
    static float maxOf(final float a, final float b)
    {
        return a != a || !(b > a) ? a : b;
    }

    /** @return the sum of elements {@code from} to {@code to - 1} as a {@code long} (wraps past 2^63). */
    static long sum(final LongBuffer b, final int from, final int to)
    {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        int i = from;
        for (; i < to - 3; i += 4)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one). */
    static long min(final LongBuffer b, final int from, final int to)
    {
        long m0 = b.get(from);
        long m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (long)Math.min(m0, b.get(i));
            m1 = (long)Math.min(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (long)Math.min(m0, b.get(i));
        }
        return (long)Math.min(m0, m1);
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one). */
    static long max(final LongBuffer b, final int from, final int to)
    {
        long m0 = b.get(from);
        long m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (long)Math.max(m0, b.get(i));
            m1 = (long)Math.max(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (long)Math.max(m0, b.get(i));
        }
        return (long)Math.max(m0, m1);
    }

    /** @return the sum of elements {@code from} to {@code to - 1} as a {@code long} (wraps past 2^63). */
    static long sum(final IntBuffer b, final int from, final int to)
    {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        int i = from;
        for (; i < to - 3; i += 4)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one). */
    static int min(final IntBuffer b, final int from, final int to)
    {
        int m0 = b.get(from);
        int m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (int)Math.min(m0, b.get(i));
            m1 = (int)Math.min(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (int)Math.min(m0, b.get(i));
        }
        return (int)Math.min(m0, m1);
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one). */
    static int max(final IntBuffer b, final int from, final int to)
    {
        int m0 = b.get(from);
        int m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (int)Math.max(m0, b.get(i));
            m1 = (int)Math.max(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (int)Math.max(m0, b.get(i));
        }
        return (int)Math.max(m0, m1);
    }

    /** @return the sum of elements {@code from} to {@code to - 1} as a {@code long} (wraps past 2^63). */
    static long sum(final ShortBuffer b, final int from, final int to)
    {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        int i = from;
        for (; i < to - 3; i += 4)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one). */
    static short min(final ShortBuffer b, final int from, final int to)
    {
        short m0 = b.get(from);
        short m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (short)Math.min(m0, b.get(i));
            m1 = (short)Math.min(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (short)Math.min(m0, b.get(i));
        }
        return (short)Math.min(m0, m1);
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one). */
    static short max(final ShortBuffer b, final int from, final int to)
    {
        short m0 = b.get(from);
        short m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (short)Math.max(m0, b.get(i));
            m1 = (short)Math.max(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (short)Math.max(m0, b.get(i));
        }
        return (short)Math.max(m0, m1);
    }

    /** @return the sum of elements {@code from} to {@code to - 1} as a {@code long} (wraps past 2^63). */
    static long sum(final ByteBuffer b, final int from, final int to)
    {
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        int i = from;
        for (; i < to - 3; i += 4)
        {
            s0 += b.get(i);
            s1 += b.get(i + 1);
            s2 += b.get(i + 2);
            s3 += b.get(i + 3);
        }
        for (; i < to; i++)
        {
            s0 += b.get(i);
        }
        return (s0 + s1) + (s2 + s3);
    }

    /** @return the minimum of elements {@code from} to {@code to - 1} (at least one). */
    static byte min(final ByteBuffer b, final int from, final int to)
    {
        byte m0 = b.get(from);
        byte m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (byte)Math.min(m0, b.get(i));
            m1 = (byte)Math.min(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (byte)Math.min(m0, b.get(i));
        }
        return (byte)Math.min(m0, m1);
    }

    /** @return the maximum of elements {@code from} to {@code to - 1} (at least one). */
    static byte max(final ByteBuffer b, final int from, final int to)
    {
        byte m0 = b.get(from);
        byte m1 = m0;
        int i = from + 1;
        for (; i < to - 1; i += 2)
        {
            m0 = (byte)Math.max(m0, b.get(i));
            m1 = (byte)Math.max(m1, b.get(i + 1));
        }
        for (; i < to; i++)
        {
            m0 = (byte)Math.max(m0, b.get(i));
        }
        return (byte)Math.max(m0, m1);
    }
}
