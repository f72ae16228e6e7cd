package org.pshmem.bench;

import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.pshmem.api.Pshmem;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;

/**
 * Single-JVM microbenchmarks of reads and copies on one rank: the plain {@code double[]} baselines beside the
 * public read and write API over node memory of the same size (16M doubles, 128 MiB). One operation touches
 * every element once; {@link SingleJvmBench} turns times into GB/s and ratios.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ReadCopyBenchmark
{
    /** Elements per operation: 16M doubles, as in the {@code array_sum_GBps} baseline. */
    public static final int ELEMENTS = 16 << 20;
    private static final long[] SHAPE = {4096, ELEMENTS / 4096};
    private static final Region WHOLE = Region.at(0, 0).size(SHAPE);

    private Pshmem pshmem;
    private SharedDoubleArray shm;
    private DoubleBuffer view;
    private double[] plain;
    private double[] target;

    /** A single-rank runtime and a 128 MiB array holding 0.5 everywhere. */
    @Setup(Level.Trial)
    public void setUp()
    {
        pshmem = Pshmem.init(new String[0]);
        shm = SharedArray.ofDoubles(pshmem.world(), SHAPE);
        plain = new double[ELEMENTS];
        Arrays.fill(plain, 0.5);
        target = new double[ELEMENTS];
        shm.set(plain, 0);
        view = shm.view();
    }

    /** Closes the array and the runtime. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        view = null;
        shm.close();
        pshmem.close();
    }

    /** @return the sum of a plain heap array (the baseline). */
    @Benchmark
    public double plainArraySum()
    {
        return ReadLoops.sum(plain);
    }

    /** @return the copy of a plain heap array into another (the baseline). */
    @Benchmark
    public double[] plainArrayCopy()
    {
        System.arraycopy(plain, 0, target, 0, ELEMENTS);
        return target;
    }

    /** @return the sum through the read API: absolute {@code get(i)} on a zero-copy view. */
    @Benchmark
    public double viewSum()
    {
        return ReadLoops.sum(view);
    }

    /** @return the sum through {@code getFlat}, element by element, in the loop used for the plain array. */
    @Benchmark
    public double getFlatSum()
    {
        double s0 = 0;
        double s1 = 0;
        for (int i = 0; i < ELEMENTS; i += 2)
        {
            s0 += shm.getFlat(i);
            s1 += shm.getFlat(i + 1);
        }
        return s0 + s1;
    }

    /** @return the sum through {@code sum(Region)}, the reduction read in place at memory speed. */
    @Benchmark
    public double sumRegion()
    {
        return shm.sum(WHOLE);
    }

    /** @return the minimum through {@code min(Region)} (NaN-propagating, as numpy). */
    @Benchmark
    public double minRegion()
    {
        return shm.min(WHOLE);
    }

    /** @return the maximum through {@code max(Region)} (NaN-propagating, as numpy). */
    @Benchmark
    public double maxRegion()
    {
        return shm.max(WHOLE);
    }

    /** @return the whole array copied out through the read API. */
    @Benchmark
    public double[] copyTo()
    {
        shm.copyTo(WHOLE, target);
        return target;
    }

    /** @return the array after a whole-array {@code set()} on one rank. */
    @Benchmark
    public SharedDoubleArray setWhole()
    {
        shm.set(plain, 0);
        return shm;
    }
}
