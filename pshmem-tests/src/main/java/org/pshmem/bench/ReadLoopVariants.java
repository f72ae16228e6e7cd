package org.pshmem.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.DoubleSupplier;

import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;

/**
 * Why a loop over a view ran slower than one over a heap array, and what the reductions reach: one rank sums
 * 16M doubles (128 MiB) in several ways, in turn, many times, and each way's fastest time is printed with its
 * ratio to the heap-array loop. The fastest of many is what a loaded shared machine still shows (JMH's mean
 * moves with the other processes). Run: {@code java -cp ... org.pshmem.bench.ReadLoopVariants [rounds]}.
 */
public final class ReadLoopVariants
{
    private static final int N = ReadCopyBenchmark.ELEMENTS;

    private ReadLoopVariants()
    {
    }

    /**
     * @param args optional: rounds (default 20); each round times every variant three times.
     */
    public static void main(final String[] args)
    {
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        try (Pshmem pshmem = Pshmem.init(new String[0]);
            SharedDoubleArray shm = SharedArray.ofDoubles(pshmem.world(), 4096, N / 4096))
        {
            final double[] plain = new double[N];
            Arrays.fill(plain, 0.5);
            shm.set(plain, 0);
            final Region whole = Region.at(0, 0).size(4096, N / 4096);
            final DoubleBuffer view = shm.view();
            final DoubleBuffer direct = ByteBuffer.allocateDirect(8 * N).order(ByteOrder.nativeOrder())
                .asDoubleBuffer().put(0, plain);
            final DoubleBuffer directReadOnly = direct.asReadOnlyBuffer();
            final double[] chunk = new double[2048];
            final Map<String, DoubleSupplier> ways = new LinkedHashMap<>();
            ways.put("array, i < n - 1 (ReadLoops)", () -> ReadLoops.sum(plain));
            ways.put("array, i + 1 < n", () -> sumOldShape(plain));
            ways.put("view, i < n - 1 (ReadLoops)", () -> ReadLoops.sum(view));
            ways.put("view, i + 1 < n", () -> sumOldShape(view));
            ways.put("direct buffer, i + 1 < n", () -> sumOldShape(direct));
            ways.put("read-only direct buffer, i + 1 < n", () -> sumOldShape(directReadOnly));
            ways.put("view, bulk get into a 2048 chunk", () -> chunkSum(view, chunk));
            ways.put("getFlat(i)", () -> getFlatSum(shm));
            ways.put("sum(Region)", () -> shm.sum(whole));
            ways.put("min(Region)", () -> shm.min(whole));
            ways.put("max(Region)", () -> shm.max(whole));
            ways.put("view, Math.max, 4 accumulators", () -> mathMax(view));
            final String[] names = ways.keySet().toArray(new String[0]);
            final DoubleSupplier[] loops = ways.values().toArray(new DoubleSupplier[0]);
            final long[] best = new long[loops.length];
            Arrays.fill(best, Long.MAX_VALUE);
            double sink = 0;
            for (int r = 0; r < rounds; r++)
            {
                for (int k = 0; k < loops.length; k++)
                {
                    for (int rep = 0; rep < 3; rep++)
                    {
                        final long start = System.nanoTime();
                        sink += loops[k].getAsDouble();
                        best[k] = Math.min(best[k], System.nanoTime() - start);
                    }
                }
            }
            for (int k = 0; k < loops.length; k++)
            {
                System.out.printf("%-36s %6.2f ms %6.2f GB/s, ratio to the first %.3f%n", names[k], best[k] / 1e6,
                    8.0 * N / best[k], (double)best[0] / best[k]);
            }
            System.out.println("(checksum " + sink + ")");
        }
    }

    private static double sumOldShape(final double[] values)
    {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 1 < values.length; i += 2)
        {
            s0 += values[i];
            s1 += values[i + 1];
        }
        return i < values.length ? s0 + s1 + values[i] : s0 + s1;
    }

    private static double sumOldShape(final DoubleBuffer values)
    {
        final int limit = values.limit();
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 1 < limit; i += 2)
        {
            s0 += values.get(i);
            s1 += values.get(i + 1);
        }
        return i < limit ? s0 + s1 + values.get(i) : s0 + s1;
    }

    private static double chunkSum(final DoubleBuffer values, final double[] chunk)
    {
        final int n = values.limit();
        double s0 = 0;
        double s1 = 0;
        for (int at = 0; at < n; at += chunk.length)
        {
            final int length = Math.min(chunk.length, n - at);
            values.get(at, chunk, 0, length);
            int i = 0;
            for (; i < length - 1; i += 2)
            {
                s0 += chunk[i];
                s1 += chunk[i + 1];
            }
            if (i < length)
            {
                s0 += chunk[i];
            }
        }
        return s0 + s1;
    }

    private static double getFlatSum(final SharedDoubleArray shm)
    {
        double s0 = 0;
        double s1 = 0;
        for (int i = 0; i < N; i += 2)
        {
            s0 += shm.getFlat(i);
            s1 += shm.getFlat(i + 1);
        }
        return s0 + s1;
    }

    private static double mathMax(final DoubleBuffer values)
    {
        final int n = values.limit();
        double m0 = values.get(0);
        double m1 = m0;
        double m2 = m0;
        double m3 = m0;
        int i = 1;
        for (; i < n - 3; i += 4)
        {
            m0 = Math.max(m0, values.get(i));
            m1 = Math.max(m1, values.get(i + 1));
            m2 = Math.max(m2, values.get(i + 2));
            m3 = Math.max(m3, values.get(i + 3));
        }
        for (; i < n; i++)
        {
            m0 = Math.max(m0, values.get(i));
        }
        return Math.max(Math.max(m0, m1), Math.max(m2, m3));
    }
}
