package org.pshmem.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

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
        final long[] before = ThreadCpu.snapshot();
        final long end = System.nanoTime() + 50_000_000L;
        long spins = 0;
        while (System.nanoTime() < end)
        {
            spins++;
        }
        final long[] after = ThreadCpu.snapshot();
        assertTrue(spins > 0);
        final long waiting = after[ThreadCpu.Kind.WAITING.ordinal()] - before[ThreadCpu.Kind.WAITING.ordinal()];
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
    void sharesReadByKind()
    {
        assertEquals("waiting thread 0.011, pshmem threads 0.002, JIT 0.015, GC 0.000, other JVM threads 0.001, " +
            "other threads 0.010", ThreadCpu.text(new double[] {0.011, 0.002, 0.015, 0, 0.001, 0.010}));
    }
}
