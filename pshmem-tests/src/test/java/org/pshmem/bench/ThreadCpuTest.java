package org.pshmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ThreadCpuTest
{
    @Test
    void threadsAreKnownByTheirNames()
    {
        assertEquals(ThreadCpu.Kind.PSHMEM, ThreadCpu.kindOf("pshmem-rank-wat"));
        assertEquals(ThreadCpu.Kind.JIT, ThreadCpu.kindOf("C2 CompilerThre"));
        assertEquals(ThreadCpu.Kind.JIT, ThreadCpu.kindOf("C1 CompilerThre"));
        assertEquals(ThreadCpu.Kind.GC, ThreadCpu.kindOf("GC Thread#0"));
        assertEquals(ThreadCpu.Kind.GC, ThreadCpu.kindOf("G1 Conc#0"));
        assertEquals(ThreadCpu.Kind.JVM, ThreadCpu.kindOf("VM Periodic Tas"));
        assertEquals(ThreadCpu.Kind.OTHER, ThreadCpu.kindOf("Thread-3"));
        assertEquals(ThreadCpu.Kind.OTHER, ThreadCpu.kindOf("java"));
    }

    @Test
    void theCallingThreadsOwnWorkIsCountedAsWaiting()
    {
        final Map<String, ThreadCpu.Sample> before = ThreadCpu.snapshot();
        busy(50);
        final long waiting = ThreadCpu.used(before, ThreadCpu.snapshot())[ThreadCpu.Kind.WAITING.ordinal()];
        if (Files.isDirectory(Path.of("/proc/self/task")))
        {
            // 50 ms of wall time busy on this thread: at least a few ms on a core even on a loaded machine.
            assertTrue(waiting > 1_000_000L, "the calling thread's ns on a core: " + waiting);
        }
        else
        {
            assertEquals(0, waiting);
        }
    }

    @Test
    void aThreadThatEndsBetweenSnapshotsTakesNothingAway() throws InterruptedException
    {
        final Thread worker = new Thread(() -> busy(100), "bench-test-worker");
        worker.start();
        Thread.sleep(40); // the worker has used time of its own by now, which it takes along when it ends
        final Map<String, ThreadCpu.Sample> before = ThreadCpu.snapshot();
        worker.join();
        final long[] used = ThreadCpu.used(before, ThreadCpu.snapshot());
        for (final ThreadCpu.Kind kind : ThreadCpu.Kind.values())
        {
            assertTrue(used[kind.ordinal()] >= 0, kind + ": " + used[kind.ordinal()]);
        }
    }

    @Test
    void differencesAreTakenThreadByThread()
    {
        final Map<String, ThreadCpu.Sample> before = Map.of(
            "1", new ThreadCpu.Sample(ThreadCpu.Kind.WAITING, 100),
            "2", new ThreadCpu.Sample(ThreadCpu.Kind.JIT, 5_000),
            "3", new ThreadCpu.Sample(ThreadCpu.Kind.OTHER, 9_000));
        final Map<String, ThreadCpu.Sample> after = Map.of(
            "1", new ThreadCpu.Sample(ThreadCpu.Kind.WAITING, 150),
            "2", new ThreadCpu.Sample(ThreadCpu.Kind.JIT, 5_070),
            "4", new ThreadCpu.Sample(ThreadCpu.Kind.OTHER, 30));
        final long[] used = ThreadCpu.used(before, after);
        assertEquals(50, used[ThreadCpu.Kind.WAITING.ordinal()]);
        assertEquals(70, used[ThreadCpu.Kind.JIT.ordinal()]);
        assertEquals(30, used[ThreadCpu.Kind.OTHER.ordinal()], "thread 3 ended, thread 4 started");
        assertEquals(0, used[ThreadCpu.Kind.GC.ordinal()]);
    }

    private static void busy(final long millis)
    {
        final long end = System.nanoTime() + millis * 1_000_000L;
        long spins = 0;
        while (System.nanoTime() < end)
        {
            spins++;
        }
        assertTrue(spins > 0);
    }

    @Test
    void sharesReadByKind()
    {
        assertEquals("waiting thread 0.011, pshmem threads 0.002, JIT 0.015, GC 0.000, other JVM threads 0.001, " +
            "other threads 0.010", ThreadCpu.text(new double[] {0.011, 0.002, 0.015, 0, 0.001, 0.010}));
    }
}
