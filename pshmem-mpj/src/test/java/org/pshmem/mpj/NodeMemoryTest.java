package org.pshmem.mpj;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pshmem.examples.ReadmeExample;

/**
 * Node memory on MPJ: one copy per node, whatever the number of JVMs, and nothing left in the segment
 * directory after a job, however it ends.
 */
class NodeMemoryTest
{
    private Path shmDir;

    @BeforeEach
    void privateSegmentDirectory() throws IOException
    {
        shmDir = Files.createTempDirectory(Path.of("/dev/shm"), "pshmem-test-");
    }

    @AfterEach
    void removeIt() throws IOException
    {
        try (Stream<Path> files = Files.list(shmDir))
        {
            files.forEach(path -> path.toFile().delete());
        }
        Files.delete(shmDir);
    }

    private List<String> options(final String... more)
    {
        final List<String> options = new java.util.ArrayList<>(List.of("--shm-dir", shmDir.toString(), "--timeout", "300"));
        options.addAll(List.of(more));
        return options;
    }

    private List<String> leftovers() throws IOException
    {
        try (Stream<Path> files = Files.list(shmDir))
        {
            return files.map(path -> path.getFileName().toString()).collect(Collectors.toList());
        }
    }

    @Test
    void fourJvmsHoldOneCopyOfA256MiBArray() throws IOException
    {
        final MpjJobs.Result result = MpjJobs.run(options("-np", "4", "--device", "niodev"), PssProbe.class.getName(),
            "4096");
        assertEquals(0, result.status(), result.both());
        final String line = result.out().lines().filter(l -> l.startsWith("COPIES ")).findFirst().orElseThrow(() ->
            new AssertionError("no COPIES line: " + result.both()));
        final String[] words = line.split(" ");
        final double copies = Double.parseDouble(words[1]);
        final double segment = Double.parseDouble(words[3]);
        // Four private copies would be about 4.0. The JVMs' own heaps grow and shrink with garbage collection,
        // which moves the whole-process figure by a few tens of MiB either way; the segments' own Pss is exact.
        assertTrue(copies > 0.5 && copies < 1.5, "whole-process growth in copies per node: " + line);
        assertTrue(segment > 0.97 && segment < 1.03, "Pss of the segment mappings in copies per node: " + line);
        assertEquals(List.of(), leftovers());
    }

    @Test
    void nothingIsLeftAfterANormalEnd() throws IOException
    {
        final MpjJobs.Result result = MpjJobs.run(options("-np", "4", "--device", "niodev", "--nodes", "2"),
            ReadmeExample.class.getName());
        assertEquals(0, result.status(), result.both());
        assertTrue(result.out().contains("replicated on 2 nodes, each with 2 processes (4 total)"), result.both());
        assertEquals(List.of(), leftovers());
    }

    @Test
    void nothingIsLeftAfterAnExceptionAndTheLauncherSaysWhichRankFailed() throws IOException
    {
        for (final String device : List.of("niodev", "multicore"))
        {
            final MpjJobs.Result result = MpjJobs.run(options("-np", "3", "--device", device),
                LeakProbe.class.getName(), "throw");
            assertEquals(1, result.status(), result.both());
            assertTrue(result.both().contains("pshmem: rank 1 failed: java.lang.IllegalStateException"), result.both());
            assertTrue(result.err().contains("job aborted: rank 1 failed"), result.both());
            assertEquals(List.of(), leftovers(), device);
        }
    }

    @Test
    void nothingIsLeftAfterKillMinus9OfEveryRank() throws Exception
    {
        final Set<Long> pids = ConcurrentHashMap.newKeySet();
        final CompletableFuture<MpjJobs.Result> job = CompletableFuture.supplyAsync(() -> MpjJobs.run(
            options("-np", "4", "--device", "niodev"), line ->
            {
                if (line.startsWith("READY "))
                {
                    pids.add(Long.parseLong(line.substring("READY ".length()).trim()));
                }
            }, LeakProbe.class.getName(), "hang"));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (pids.size() < 4 && System.nanoTime() < deadline && !job.isDone())
        {
            Thread.sleep(50);
        }
        assertEquals(4, pids.size(), "every rank reported ready");
        for (final long pid : pids)
        {
            new ProcessBuilder("kill", "-9", Long.toString(pid)).start().waitFor();
        }
        final MpjJobs.Result result = job.get(120, TimeUnit.SECONDS);
        assertEquals(1, result.status(), result.both());
        assertTrue(result.err().contains("ended without finishing"), result.both());
        assertEquals(List.of(), leftovers());
    }
}
