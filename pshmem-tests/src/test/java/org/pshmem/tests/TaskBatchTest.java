package org.pshmem.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pshmem.api.TaskBatch;
import org.pshmem.local.LocalJob;

/**
 * Two jobs on one tracking folder at the same time: between them, every task runs exactly once.
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
        final LocalJob.RankBody job = world ->
        {
            try (TaskBatch batch = TaskBatch.builder(world, tasks).trackIn(root, names).build())
            {
                for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask())
                {
                    runs.computeIfAbsent(task.getAsInt(), t -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(2);
                    batch.setState(task.getAsInt(), TaskBatch.State.DONE);
                }
            }
        };
        final CompletableFuture<Void> first = CompletableFuture.runAsync(() -> LocalJob.run(2, job));
        final CompletableFuture<Void> second = CompletableFuture.runAsync(() -> LocalJob.run(3, 2, job));
        first.get();
        second.get();
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
}
