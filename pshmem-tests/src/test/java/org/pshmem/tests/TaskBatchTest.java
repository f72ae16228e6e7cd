package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.TaskBatch;
import org.pshmem.local.LocalJob;

/**
 * Two jobs on one tracking folder at the same time: between them, every task runs exactly once. That they
 * really run at once is shown, not hoped for: each rank holds its first task until the other job has taken
 * one too (a marker file per job), so both jobs hold tasks at the same moment.
 */
class TaskBatchTest
{
    @Test
    void twoJobsOnOneFolderNeverTakeTheSameTask(@TempDir final Path folder) throws Exception
    {
        final int tasks = 40;
        final List<String> names = new ArrayList<>();
        for (int t = 0; t < tasks; t++)
        {
            names.add("task" + t);
        }
        final Path root = folder.resolve("batch");
        final ConcurrentHashMap<Integer, AtomicInteger> runs = new ConcurrentHashMap<>();
        // A thread per job: the common pool may have one thread on a 2-core machine, and on newer JDKs a
        // waiting get() no longer runs the other job itself, so the jobs would run one after the other.
        final ExecutorService jobs = Executors.newFixedThreadPool(2);
        try
        {
            final Future<?> first = jobs.submit(() -> LocalJob.run(2,
                job(root, names, runs, folder.resolve("first-holds-a-task"), folder.resolve("second-holds-a-task"))));
            final Future<?> second = jobs.submit(() -> LocalJob.run(3, 2,
                job(root, names, runs, folder.resolve("second-holds-a-task"), folder.resolve("first-holds-a-task"))));
            first.get();
            second.get();
        }
        finally
        {
            jobs.shutdownNow();
        }
        assertEquals(tasks, runs.size(), "every task ran");
        runs.forEach((task, count) -> assertEquals(1, count.get(), "runs of task " + task));
        for (int t = 0; t < tasks; t++)
        {
            assertEquals("DONE\n", Files.readString(root.resolve("task" + t).resolve("state")));
        }
        final List<String> left = new ArrayList<>();
        try (var files = Files.walk(root))
        {
            files.filter(path -> path.getFileName().toString().startsWith("state.tmp")).forEach(path -> left.add(path.toString()));
        }
        assertEquals(Collections.emptyList(), left, "no temporary state files left");
        assertTrue(Files.exists(root.resolve(".pshmem-batch.lock")));
    }

    /**
     * A job that takes tasks until none is left; in its first task each rank marks that its job holds a task,
     * then waits (at most 60 s, else it fails) for the other job's mark.
     */
    private static LocalJob.RankBody job(final Path root, final List<String> names,
        final ConcurrentHashMap<Integer, AtomicInteger> runs, final Path mine, final Path theirs)
    {
        return world ->
        {
            try (TaskBatch batch = TaskBatch.builder(world, names.size()).trackIn(root, names).build())
            {
                boolean first = true;
                for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask())
                {
                    runs.computeIfAbsent(task.getAsInt(), t -> new AtomicInteger()).incrementAndGet();
                    if (first)
                    {
                        first = false;
                        try
                        {
                            Files.createFile(mine);
                        }
                        catch (final FileAlreadyExistsException ignored)
                        {
                            // Another rank of this job marked it.
                        }
                        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                        while (!Files.exists(theirs))
                        {
                            assertTrue(System.nanoTime() < deadline, "rank " + world.rank() + " held task " +
                                task.getAsInt() + " for 60 s and the other job took none meanwhile: the jobs did " +
                                "not run at the same time");
                            Thread.sleep(5);
                        }
                    }
                    Thread.sleep(2);
                    batch.setState(task.getAsInt(), TaskBatch.State.DONE);
                }
            }
        };
    }
}
