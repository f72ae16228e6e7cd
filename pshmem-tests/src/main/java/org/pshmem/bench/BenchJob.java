package org.pshmem.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.DoubleBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import org.pshmem.api.Communicator;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.Pshmem;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Region;
import org.pshmem.api.SharedArray;
import org.pshmem.api.SharedDoubleArray;
import org.pshmem.api.TaskBatch;
import org.pshmem.spi.SetForwarding;
import org.pshmem.spi.Setting;

/**
 * The benchmark workloads of {@code workloads.md}, run on every rank of a job; rank 0 prints one
 * {@code name value unit} line per workload, then the two single-thread baselines measured in the same run
 * and the ratios against them, then how much CPU a rank burns while it waits.
 */
public final class BenchJob
{
    private static final double GB = 1e9;
    // Unreported rounds before a workload is timed (a JVM compiles hot code as it runs); creation crosses more
    // code than the others, so it takes longer to compile.
    private static final int SET_SMALL_WARM_UP = 20;
    private static final int SET_LARGE_WARM_UP = 3;
    private static final double SET_LARGE_TOTAL_BYTES = 256.0 * (1 << 20);
    private static final int LOCK_WARM_UP = 3;
    private static final int ALLOC_FREE_WARM_UP = 3;
    /** Unreported idle barriers before the measured one: the JIT compiles what ran before the first ones
     *  during them (0.06-0.18 of a core in the first two, measured by thread). */
    private static final int IDLE_BARRIER_WARM_UP = 3;
    private static final int THREAD_SNAPSHOT_WARM_UP = 300;
    /** Small arrays per timed round: a block of the node arena takes microseconds, so many to time. */
    private static final int SMALL_ARRAYS_PER_ROUND = 10_000;
    private static final int LARGE_ARRAYS_PER_ROUND = 200;
    private static final int ALLOC_FREE_LARGE_WARM_UP = 3;
    /** Doubles of {@code alloc_free_large}'s array: 2 MiB, above the 1 MiB below which arrays may share memory. */
    private static final int LARGE_ARRAY_DOUBLES = 1 << 18;

    private BenchJob()
    {
    }

    /**
     * Runs every workload, or with arguments one workload at one size (see {@code scale}); collective over the
     * world.
     *
     * @param args the launcher's arguments, then optionally {@code set_small}, {@code set_large ROWS},
     *             {@code set_plan}, {@code alloc_free}, {@code alloc_free_large}, {@code copies}, {@code idle_barrier},
     *             {@code barrier} or {@code lock}.
     * @throws Exception when a workload fails or reads a wrong result.
     */
    public static void main(final String[] args) throws Exception
    {
        try (Pshmem pshmem = Pshmem.init(args))
        {
            final Communicator comm = pshmem.world();
            final boolean root = comm.rank() == 0;
            if (pshmem.args().length > 0)
            {
                scale(comm, pshmem.args());
                return;
            }
            // Unlike the Python peer, a JVM compiles hot code as it runs: unreported rounds first, so the
            // figures are of compiled code. The reported round follows the workloads' own warm-up rules.
            for (int round = 0; round < SET_SMALL_WARM_UP; round++)
            {
                setSmall(comm);
                if (round < LOCK_WARM_UP)
                {
                    lock(comm);
                }
                if (round < SET_LARGE_WARM_UP)
                {
                    setLargeAndRead(comm, 256, 4096);
                }
                if (round < ALLOC_FREE_WARM_UP)
                {
                    allocFree(comm);
                }
                if (round < ALLOC_FREE_LARGE_WARM_UP)
                {
                    allocFreeLarge(comm);
                }
            }
            final double setSmall = setSmall(comm);
            report(root, "set_small_us", setSmall, "us/set");
            final double[] large = setLargeAndRead(comm);
            report(root, "set_large_GBps", large[0], "GB/s");
            report(root, "read_sum_GBps_per_rank", large[1], "GB/s");
            report(root, "read_sum_reduction_GBps_per_rank", large[2], "GB/s");
            final double setEightMiB = setLargeAndRead(comm, 256, 4096)[0];
            report(root, "set_large_8MiB_GBps", setEightMiB, "GB/s (" + (int)(SET_LARGE_TOTAL_BYTES / (8 << 20)) +
                " sets of an 8 MiB block)");
            report(root, "lock_acq_per_s", lock(comm), "acquisitions/s");
            report(root, "batch_tasks_per_s", batch(comm), "tasks/s");
            report(root, "alloc_free_per_s", allocFree(comm), "arrays/s");
            report(root, "alloc_free_large_per_s", allocFreeLarge(comm), "arrays/s (2 MiB each)");
            reportCopies(root, copiesWholeAndSegments(comm), "");
            final double memcpy = root ? memcpy() : 0;
            final double sum = root ? arraySum() : 0;
            report(root, "memcpy_GBps", memcpy, "GB/s");
            report(root, "array_sum_GBps", sum, "GB/s");
            report(root, "set_large_GBps/memcpy_GBps", large[0] / memcpy, "ratio");
            report(root, "set_large_8MiB_GBps/memcpy_GBps", setEightMiB / memcpy, "ratio");
            report(root, "read_sum_GBps_per_rank/array_sum_GBps", large[1] / sum, "ratio");
            report(root, "read_sum_reduction_GBps_per_rank/array_sum_GBps", large[2] / sum, "ratio");
            final IdleCores idle = idleBarrierCores(comm);
            report(root, "barrier_wait_cores", idle.process(), "cores (a rank waiting 1 s in a barrier" +
                idle.byThread() + ")");
            report(root, "lock_wait_cores", idleLock(comm), "cores (a rank waiting 1 s for the lock)");
        }
    }

    /**
     * One workload at one size, for {@code ./pshmem bench --scale}: {@code set_small}, {@code set_large ROWS}
     * (ROWS x 4096 doubles), {@code set_plan}, {@code alloc_free}, {@code alloc_free_large}, {@code copies},
     * {@code idle_barrier} (barrier_wait_cores), {@code barrier} (the time of one barrier, in a loop of 10,000)
     * or {@code lock}; the line names the rank count and size.
     */
    private static void scale(final Communicator comm, final String[] args) throws IOException, InterruptedException
    {
        final boolean root = comm.rank() == 0;
        final String at = " (" + comm.size() + " ranks";
        switch (args[0])
        {
            case "set_small":
                for (int round = 0; round < SET_SMALL_WARM_UP; round++)
                {
                    setSmall(comm);
                }
                report(root, "set_small_us", setSmall(comm), "us/set" + at + ")");
                break;
            case "set_large":
                final int rows = Integer.parseInt(args[1]);
                for (int round = 0; round < SET_LARGE_WARM_UP; round++)
                {
                    setLargeAndRead(comm, 256, 4096);
                }
                final double[] large = setLargeAndRead(comm, rows, 4096);
                final double memcpy = root ? memcpy() : 0;
                final String size = at + ", " + (8L * rows * 4096 >> 20) + " MiB";
                report(root, "set_large_GBps", large[0], "GB/s" + size + "; memcpy_GBps " +
                    String.format("%.4g", memcpy) + ", ratio " + String.format("%.3f", large[0] / memcpy) + ")");
                report(root, "read_sum_GBps_per_rank", large[1], "GB/s" + size + ")");
                report(root, "read_sum_reduction_GBps_per_rank", large[2], "GB/s" + size + ")");
                break;
            case "set_plan":
                setPlan(root);
                break;
            case "alloc_free":
                for (int round = 0; round < ALLOC_FREE_WARM_UP; round++)
                {
                    allocFree(comm);
                }
                report(root, "alloc_free_per_s", allocFree(comm), "arrays/s" + at + ")");
                break;
            case "alloc_free_large":
                for (int round = 0; round < ALLOC_FREE_LARGE_WARM_UP; round++)
                {
                    allocFreeLarge(comm);
                }
                report(root, "alloc_free_large_per_s", allocFreeLarge(comm), "arrays/s" + at + ", 2 MiB each)");
                break;
            case "alloc_free_kib":
                // One size, for choosing pshmem.smallArrayBytes: run it with the setting at 0 and at its default.
                final int kib = Integer.parseInt(args[1]);
                final int arrays = Math.max(50, Math.min(SMALL_ARRAYS_PER_ROUND, (64 << 10) / Math.max(1, kib)));
                for (int round = 0; round < ALLOC_FREE_LARGE_WARM_UP; round++)
                {
                    allocFree(comm, kib, 128, arrays);
                }
                report(root, "alloc_free_per_s", allocFree(comm, kib, 128, arrays), "arrays/s" + at + ", " + kib +
                    " KiB each)");
                break;
            case "copies":
                reportCopies(root, copiesWholeAndSegments(comm), ", " + comm.size() + " ranks");
                break;
            case "idle_barrier":
                final IdleCores idle = idleBarrierCores(comm);
                report(root, "barrier_wait_cores", idle.process(), "cores (a rank waiting 1 s in a barrier" + at +
                    idle.byThread() + ")");
                report(root, "barrier_wait_thread_cores", idle.thread(), "cores (its waiting thread alone" + at + ")");
                break;
            case "barrier":
                barriers(comm, 1_000); // warm-up
                report(root, "barrier_us", barriers(comm, 10_000), "us/barrier (10,000 barriers" + at + ")");
                break;
            case "lock":
                for (int round = 0; round < LOCK_WARM_UP; round++)
                {
                    lock(comm);
                }
                report(root, "lock_acq_per_s", lock(comm), "acquisitions/s" + at + ")");
                break;
            default:
                throw new IllegalArgumentException("BenchJob: unknown workload '" + args[0] +
                    "'; use set_small, set_large ROWS, set_plan, alloc_free, alloc_free_large, alloc_free_kib KIB, " +
                    "copies, idle_barrier, barrier or lock");
        }
    }

    /** Whole-process Pss, then, where segments are files, their own Pss (the copies of the array alone);
     *  {@code at} is added inside the unit's parentheses. */
    private static void reportCopies(final boolean root, final double[] copies, final String at)
    {
        report(root, "memory_copies_per_node", copies[0], "copies (whole-process Pss" + at + ")");
        if (copies[1] > 0)
        {
            report(root, "memory_copies_per_node_segments", copies[1], "copies (Pss of the segments alone" + at + ")");
        }
    }

    /**
     * How {@code set()} forwards a block between nodes, from the plan the library runs
     * ({@link SetForwarding#plan(int, int)}), for 2, 4, 8 and 64 nodes: a small set (one chunk) and a 128 MiB
     * one in chunks of {@code pshmem.setChunkBytes}. Per set, the bytes the busiest rank sends over the block's
     * size, beside a root that sends the block to every node (K - 1), and the sequential message steps.
     */
    private static void setPlan(final boolean root)
    {
        final long chunkBytes = Math.max(8, Setting.SET_CHUNK_BYTES.intValue());
        for (final long block : new long[] {8000, 128L << 20})
        {
            final int chunks = (int)((block + chunkBytes - 1) / chunkBytes);
            for (final int nodes : new int[] {2, 4, 8, 64})
            {
                final SetForwarding plan = SetForwarding.plan(nodes, chunks);
                if (root)
                {
                    System.out.printf("set_busiest_blocks %d blocks (%d nodes, %s set in %d chunk%s: %s; " +
                        "a root sending to every node: %d blocks)%n", plan.busiestBlocks(), nodes,
                        block < chunkBytes ? block + " B" : (block >> 20) + " MiB", chunks, chunks == 1 ? "" : "s",
                        plan.describe(), nodes - 1);
                    System.out.printf("set_steps %d steps (%d nodes, %s set in %d chunk%s; a root sending to every " +
                        "node: %d)%n", plan.steps(), nodes, block < chunkBytes ? block + " B" : (block >> 20) + " MiB",
                        chunks, chunks == 1 ? "" : "s", (nodes - 1L) * chunks);
                }
            }
        }
        System.out.flush();
    }

    private static void report(final boolean root, final String name, final double value, final String unit)
    {
        if (root)
        {
            System.out.printf("%s %.4g %s%n", name, value, unit);
            System.out.flush();
        }
    }

    /** 8-byte doubles, 1000 x 1000; set i writes row i % 1000 from rank i % P; 10 warm-up, 200 timed. */
    static double setSmall(final Communicator comm)
    {
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, 1000, 1000))
        {
            final double[] row = new double[1000];
            for (int i = 0; i < 10; i++)
            {
                shm.set(comm.rank() == i % comm.size() ? row : null, Region.at(i % 1000, 0).size(1, 1000),
                    i % comm.size());
            }
            comm.barrier();
            final long start = System.nanoTime();
            for (int i = 0; i < 200; i++)
            {
                final int writer = i % comm.size();
                shm.set(comm.rank() == writer ? row : null, Region.at(i % 1000, 0).size(1, 1000), writer);
            }
            comm.barrier();
            return (System.nanoTime() - start) / 1e3 / 200;
        }
    }

    /**
     * 4096 x 4096 doubles set whole from rank 0 (1 warm-up, then timed: at least 5 sets and 256 MiB in all); then
     * every rank sums it 5 times with the view loop ({@link ReadLoops#sum(java.nio.DoubleBuffer)}), then 5 times
     * with {@code sum(Region)}.
     */
    static double[] setLargeAndRead(final Communicator comm)
    {
        return setLargeAndRead(comm, 4096, 4096);
    }

    static double[] setLargeAndRead(final Communicator comm, final int rows, final int columns)
    {
        final int n = rows * columns;
        final double bytes = 8.0 * n;
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, rows, columns))
        {
            final double[] data = comm.rank() == 0 ? new double[n] : null;
            if (null != data)
            {
                for (int i = 0; i < data.length; i++)
                {
                    data[i] = i & 1023;
                }
            }
            shm.set(data, 0);
            // At least 256 MiB in all: five 8 MiB sets take 3 ms, which one late rank on 2 cores can double.
            final int sets = (int)Math.max(5, SET_LARGE_TOTAL_BYTES / bytes);
            comm.barrier();
            long start = System.nanoTime();
            for (int i = 0; i < sets; i++)
            {
                shm.set(data, 0);
            }
            final double setSeconds = (System.nanoTime() - start) / 1e9;
            comm.barrier();
            double check = 0;
            start = System.nanoTime();
            for (int i = 0; i < 5; i++)
            {
                check += ReadLoops.sum(shm.view());
            }
            final double readSeconds = comm.allReduce((System.nanoTime() - start) / 1e9, ReduceOp.MAX);
            if (check != 5 * sumOfPattern(n))
            {
                throw new AssertionError("rank " + comm.rank() + " read a wrong sum: " + check);
            }
            final Region whole = Region.at(0, 0).size(rows, columns);
            comm.barrier();
            check = 0;
            start = System.nanoTime();
            for (int i = 0; i < 5; i++)
            {
                check += shm.sum(whole);
            }
            final double reduceSeconds = comm.allReduce((System.nanoTime() - start) / 1e9, ReduceOp.MAX);
            if (check != 5 * sumOfPattern(n))
            {
                throw new AssertionError("rank " + comm.rank() + " read a wrong sum(Region): " + check);
            }
            return new double[] {sets * bytes / setSeconds / GB, 5 * bytes / readSeconds / GB,
                5 * bytes / reduceSeconds / GB};
        }
    }

    private static double sumOfPattern(final int count)
    {
        return (double)(count / 1024) * (1023 * 1024 / 2);
    }

    /** Every rank does 200 lock()+unlock() with an empty critical section, between two barriers. */
    static double lock(final Communicator comm)
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            for (int i = 0; i < 20; i++)
            {
                lock.lock();
                lock.unlock();
            }
            comm.barrier();
            final long start = System.nanoTime();
            for (int i = 0; i < 200; i++)
            {
                lock.lock();
                lock.unlock();
            }
            comm.barrier();
            return 200.0 * comm.size() / ((System.nanoTime() - start) / 1e9);
        }
    }

    /** 2000 tasks, workers of one rank, in memory; each task must be done exactly once. */
    static double batch(final Communicator comm)
    {
        final int tasks = 2000;
        final long[] done = new long[tasks];
        comm.barrier();
        final long start = System.nanoTime();
        try (TaskBatch batch = TaskBatch.builder(comm, tasks).build())
        {
            for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask())
            {
                done[task.getAsInt()]++;
                batch.setState(task.getAsInt(), TaskBatch.State.DONE);
            }
            comm.barrier();
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        comm.allReduce(done, ReduceOp.SUM);
        for (int t = 0; t < tasks; t++)
        {
            if (done[t] != 1)
            {
                throw new AssertionError("task " + t + " was done " + done[t] + " times");
            }
        }
        return tasks / seconds;
    }

    /** Create and close a 10 x 10 double array (a block of the node arena) 10,000 times, collectively. */
    static double allocFree(final Communicator comm)
    {
        return allocFree(comm, 10, 10, SMALL_ARRAYS_PER_ROUND);
    }

    /**
     * Create and close a 2 MiB double array (262,144 doubles, above the small-array threshold, so a segment of
     * its own) 200 times, collectively: the large-array path of {@link #allocFree(Communicator)}.
     */
    static double allocFreeLarge(final Communicator comm)
    {
        return allocFree(comm, LARGE_ARRAY_DOUBLES / 1024, 1024, LARGE_ARRAYS_PER_ROUND);
    }

    private static double allocFree(final Communicator comm, final int rows, final int columns, final int arrays)
    {
        comm.barrier();
        final long start = System.nanoTime();
        for (int i = 0; i < arrays; i++)
        {
            SharedArray.ofDoubles(comm, rows, columns).close();
        }
        comm.barrier();
        return arrays / ((System.nanoTime() - start) / 1e9);
    }

    /**
     * Pss growth of all ranks for an 8192 x 8192 double array filled in 512-row blocks and read by all (garbage
     * is collected before both readings so the heaps count alike), measured twice: the growth of every rank's
     * whole-process Pss (which also counts each JVM's own growth), and the growth of the Pss of segment mappings
     * alone (files of the segment directory; 0 for the in-process transport, whose node memory is anonymous).
     *
     * @return copies per node by whole-process Pss, then by the segments' Pss.
     */
    static double[] copiesWholeAndSegments(final Communicator comm) throws IOException
    {
        final int n = 8192;
        final int rows = 512;
        final double[] block = comm.rank() == 0 ? new double[rows * n] : null;
        if (null != block)
        {
            java.util.Arrays.fill(block, 1.0);
        }
        System.gc();
        comm.barrier();
        final long before = comm.allReduce(pss(), ReduceOp.SUM);
        final long segmentsBefore = comm.allReduce(segmentPss(), ReduceOp.SUM);
        try (SharedDoubleArray shm = SharedArray.ofDoubles(comm, n, n))
        {
            for (int r = 0; r < n; r += rows)
            {
                shm.set(block, Region.at(r, 0).size(rows, n), 0);
            }
            if (ReadLoops.sum(shm.view()) != (double)n * n)
            {
                throw new AssertionError("rank " + comm.rank() + " read a wrong sum");
            }
            System.gc(); // as before the first reading, so heaps are measured alike
            comm.barrier();
            final long after = comm.allReduce(pss(), ReduceOp.SUM);
            final long segmentsAfter = comm.allReduce(segmentPss(), ReduceOp.SUM);
            comm.barrier();
            return new double[] {(after - before) / (8.0 * n * n), (segmentsAfter - segmentsBefore) / (8.0 * n * n)};
        }
    }

    /**
     * @return the Pss, in bytes, of this process's mappings of files in the segment directory
     * ({@code pshmem.shmDir}, default {@code /dev/shm}), named or not.
     * @throws IOException when {@code /proc/self/smaps} cannot be read.
     */
    static long segmentPss() throws IOException
    {
        final String dir = org.pshmem.spi.Setting.SHM_DIR.value().orElse("/dev/shm") + "/";
        long bytes = 0;
        boolean segment = false;
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps")))
        {
            final String[] fields = line.split("\\s+", 6);
            if (fields.length >= 5 && fields[0].matches("[0-9a-f]+-[0-9a-f]+"))
            {
                segment = fields.length == 6 && fields[5].startsWith(dir);
            }
            else if (segment && line.startsWith("Pss:"))
            {
                bytes += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return bytes;
    }

    /**
     * @return this process's proportional set size in bytes: shared pages count divided by their mappers.
     * @throws IOException when {@code /proc/self/smaps_rollup} cannot be read.
     */
    public static long pss() throws IOException
    {
        for (final String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup")))
        {
            if (line.startsWith("Pss:"))
            {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no Pss line in /proc/self/smaps_rollup");
    }

    static double memcpy()
    {
        final double[] from = new double[16 << 20];
        final double[] to = new double[16 << 20];
        java.util.Arrays.fill(from, 1.5);
        System.arraycopy(from, 0, to, 0, from.length);
        final long start = System.nanoTime();
        for (int i = 0; i < 5; i++)
        {
            System.arraycopy(from, 0, to, 0, from.length);
        }
        return 5 * 8.0 * from.length / ((System.nanoTime() - start) / 1e9) / GB;
    }

    static double arraySum()
    {
        final double[] values = new double[16 << 20];
        java.util.Arrays.fill(values, 0.5);
        double check = ReadLoops.sum(values);
        final long start = System.nanoTime();
        for (int i = 0; i < 5; i++)
        {
            check += ReadLoops.sum(values);
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        if (check != 6 * 0.5 * values.length)
        {
            throw new AssertionError("wrong sum " + check);
        }
        return 5 * 8.0 * values.length / seconds / GB;
    }

    /** @return the mean time of {@code count} barriers in a row, in microseconds, the slowest rank's. */
    static double barriers(final Communicator comm, final int count)
    {
        comm.barrier();
        final long start = System.nanoTime();
        for (int i = 0; i < count; i++)
        {
            comm.barrier();
        }
        final double us = (System.nanoTime() - start) / 1e3 / count;
        return comm.allReduce(us, ReduceOp.MAX);
    }

    /**
     * Rank 0 sleeps 1 s before a barrier; the others measure the CPU their process, and their waiting thread,
     * use meanwhile, and which of their threads used it; after {@value #IDLE_BARRIER_WARM_UP} unreported rounds.
     * The process's share is the sum of its threads' nanosecond counters where Linux gives them (the process's
     * own CPU time moves in steps of 10 ms, a hundredth of a core here), else that CPU time.
     *
     * @return the largest share of a core over the waiting ranks, of the process and of the waiting thread, and
     * the shares by kind of thread of the rank whose process used most.
     */
    static IdleCores idleBarrierCores(final Communicator comm) throws InterruptedException
    {
        for (int i = 0; i < THREAD_SNAPSHOT_WARM_UP; i++)
        {
            ThreadCpu.snapshot(); // compiled before it is timed: else the JIT compiles it during the waits
        }
        for (int round = 0; round < IDLE_BARRIER_WARM_UP; round++)
        {
            idleBarrierRound(comm);
        }
        return idleBarrierRound(comm);
    }

    private static IdleCores idleBarrierRound(final Communicator comm) throws InterruptedException
    {
        final java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        comm.barrier();
        // The snapshots of the threads read /proc: outside the process's and the thread's figures.
        final java.util.Map<String, ThreadCpu.Sample> threadsBefore = ThreadCpu.snapshot();
        final long cpu = processCpuNanos();
        final long threadCpu = threads.getCurrentThreadCpuTime();
        final long start = System.nanoTime();
        if (comm.rank() == 0)
        {
            Thread.sleep(1000);
        }
        comm.barrier();
        final double elapsed = System.nanoTime() - start;
        final long cpuAfter = processCpuNanos();
        final long threadCpuAfter = threads.getCurrentThreadCpuTime();
        final long[] byKind = ThreadCpu.used(threadsBefore, ThreadCpu.snapshot());
        final int kinds = byKind.length;
        // [process, waiting thread, then by kind], zeros on rank 0, which did not wait.
        final double[] mine = new double[2 + kinds];
        if (comm.rank() != 0)
        {
            long threadSum = 0;
            for (int k = 0; k < kinds; k++)
            {
                mine[2 + k] = byKind[k] / elapsed;
                threadSum += byKind[k];
            }
            mine[0] = (0 == threadSum ? cpuAfter - cpu : threadSum) / elapsed;
            mine[1] = (threadCpuAfter - threadCpu) / elapsed;
        }
        if (comm.size() == 1)
        {
            return new IdleCores(0, 0, new double[kinds]);
        }
        final double[] all = comm.allGather(mine);
        int most = 1;
        double thread = 0;
        for (int r = 1; r < comm.size(); r++)
        {
            most = all[r * mine.length] > all[most * mine.length] ? r : most;
            thread = Math.max(thread, all[r * mine.length + 1]);
        }
        return new IdleCores(all[most * mine.length], thread,
            java.util.Arrays.copyOfRange(all, most * mine.length + 2, (most + 1) * mine.length));
    }

    /** {@link #idleBarrierCores}: shares of a core. */
    record IdleCores(double process, double thread, double[] byKind)
    {
        String byThread()
        {
            return "; that rank's threads: " + ThreadCpu.text(byKind);
        }
    }

    /** Rank 0 holds the lock 1 s; the others wait for it and measure their process's CPU meanwhile. */
    static double idleLock(final Communicator comm) throws InterruptedException
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            if (comm.rank() == 0)
            {
                lock.lock();
            }
            comm.barrier();
            final long cpu = processCpuNanos();
            final long start = System.nanoTime();
            if (comm.rank() == 0)
            {
                Thread.sleep(1000);
                lock.unlock();
            }
            else
            {
                lock.lock();
                lock.unlock();
            }
            final double cores = comm.rank() == 0 ? 0 : (processCpuNanos() - cpu) / (double)(System.nanoTime() - start);
            comm.barrier();
            return comm.size() > 1 ? comm.allReduce(cores, ReduceOp.MAX) : 0;
        }
    }

    private static long processCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }
}
