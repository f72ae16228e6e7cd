package org.pshmem.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.pshmem.api.Communicator;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.PshmemException;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedCounter;
import org.pshmem.api.TaskBatch;

/**
 * Scenarios for the lock, the counter and the task batch (upstream scenarios 10 and 11, and more), checked on
 * every rank. Shared files stand for a resource that is not safe without the lock.
 */
public final class CoordinationScenarios
{
    private CoordinationScenarios()
    {
    }

    /**
     * @return every scenario by name, in a stable order.
     */
    public static Map<String, Scenario> all()
    {
        final Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("lockFiveTimes", p -> lockFiveTimes(p.world()));
        all.put("lockExcludes", p -> lockExcludes(p.world(), 50));
        all.put("lockOverHalfSpanningNodes", p ->
        {
            try (Communicator half = p.world().split(p.world().rank() % 2, p.world().rank()))
            {
                lockExcludes(half, 30);
            }
        });
        all.put("lockGrantedInOrderOfRequest", p -> grantOrder(p.world()));
        all.put("tryLockAndHold", p -> tryLockAndHold(p.world()));
        all.put("counter", p -> counter(p.world()));
        all.put("batchInMemory", p -> batchEveryWorkerSize(p.world(), false));
        all.put("batchOnFilesystem", p -> batchEveryWorkerSize(p.world(), true));
        all.put("batchResumes", p -> batchResumes(p.world()));
        all.put("batchRejectsBadOptions", p -> batchRejects(p.world()));
        all.put("batchNamesStayInside", p -> batchNamesStayInside(p.world()));
        return all;
    }

    static void lockFiveTimes(final Communicator comm)
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            for (int i = 0; i < 5; i++)
            {
                lock.lock();
                Expect.isTrue(lock.isHeldByThisRank(), "held after lock()");
                lock.unlock();
                Expect.isTrue(!lock.isHeldByThisRank(), "not held after unlock()");
            }
        }
    }

    /**
     * Every rank adds to a number in a file, read-modify-write, inside the lock: no update may be lost. The window
     * between read and write is wide (three more reads, a park), so a lock that ever lets two ranks in fails.
     */
    static void lockExcludes(final Communicator comm, final int times) throws IOException
    {
        final Path folder = sharedFolder(comm);
        final Path file = folder.resolve("count");
        if (comm.rank() == 0)
        {
            Files.writeString(file, "0");
        }
        comm.barrier();
        try (DistributedLock lock = DistributedLock.create(comm, comm.size() - 1))
        {
            for (int i = 0; i < times; i++)
            {
                try (DistributedLock.Held held = lock.hold())
                {
                    final long value = Long.parseLong(Files.readString(file).trim());
                    for (int again = 0; again < 3; again++)
                    {
                        Expect.equal(value, Long.parseLong(Files.readString(file).trim()),
                            "count read again under the lock on rank " + comm.rank());
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    Files.writeString(file, Long.toString(value + 1));
                }
            }
        }
        comm.barrier();
        Expect.equal((long)times * comm.size(), Long.parseLong(Files.readString(file).trim()),
            "count after " + comm.size() + " ranks added " + times + " each under the lock");
        comm.barrier();
        removeFolder(comm, folder);
    }

    /**
     * The last rank holds the lock while the others ask for it one after another, in an order drawn from a
     * seeded shuffle that is never rank order (300 ms apart, so the owner sees the requests in that order): the
     * lock goes to them in the order they asked, so a lock that favoured low ranks, or the latest request, fails.
     */
    static void grantOrder(final Communicator comm) throws Exception
    {
        final int holder = comm.size() - 1;
        final long seed = comm.broadcast(comm.rank() == 0 ? System.nanoTime() : 0L, 0);
        final List<Integer> askOrder = askOrder(holder, seed);
        final Path folder = sharedFolder(comm);
        final Path log = folder.resolve("grants");
        Files.writeString(log, "", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE);
        comm.barrier();
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            if (comm.rank() == holder)
            {
                lock.lock();
            }
            comm.barrier();
            if (comm.rank() == holder)
            {
                Thread.sleep(300L * (holder + 1)); // until every other rank has asked
            }
            else
            {
                Thread.sleep(300L * (1 + askOrder.indexOf(comm.rank())));
                lock.lock();
            }
            try
            {
                Files.writeString(log, comm.rank() + " ", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
            }
            finally
            {
                lock.unlock();
            }
            comm.barrier();
        }
        final StringBuilder expected = new StringBuilder().append(holder).append(' ');
        askOrder.forEach(rank -> expected.append(rank).append(' '));
        Expect.equal(expected.toString(), Files.readString(log), "order in which ranks got the lock (ranks " + askOrder +
            " asked in that order while rank " + holder + " held it; seed " + seed + ")");
        comm.barrier();
        removeFolder(comm, folder);
    }

    /** @return ranks 0 to {@code count - 1} shuffled with {@code seed}; never ascending when there are two or more. */
    static List<Integer> askOrder(final int count, final long seed)
    {
        final List<Integer> order = new ArrayList<>();
        for (int r = 0; r < count; r++)
        {
            order.add(r);
        }
        Collections.shuffle(order, new Random(seed));
        boolean ascending = true;
        for (int i = 1; i < count; i++)
        {
            ascending &= order.get(i - 1) < order.get(i);
        }
        if (ascending)
        {
            Collections.reverse(order);
        }
        return order;
    }

    static void tryLockAndHold(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            if (comm.rank() == 0)
            {
                lock.lock();
            }
            comm.barrier();
            if (comm.rank() != 0)
            {
                Expect.isTrue(!lock.tryLock(50, TimeUnit.MILLISECONDS), "tryLock gives up while rank 0 holds it");
                Expect.isTrue(!lock.isHeldByThisRank(), "not held after giving up");
            }
            comm.barrier();
            if (comm.rank() == 0)
            {
                lock.unlock();
            }
            Expect.isTrue(lock.tryLock(60, TimeUnit.SECONDS), "tryLock gets the lock once it is free");
            lock.unlock();
            comm.barrier();
        }
        final DistributedLock closed = DistributedLock.create(comm);
        closed.close();
        closed.close();
        Expect.throwsOf(IllegalStateException.class, closed::lock, "closed");
        Expect.throwsOf(IllegalArgumentException.class, () -> DistributedLock.create(comm, comm.size()),
            "owner " + comm.size() + " is out of range");
    }

    static void counter(final Communicator comm)
    {
        final int each = 100;
        try (SharedCounter counter = SharedCounter.builder(comm).owner(comm.size() - 1).start(1000).build())
        {
            final long[] mine = new long[each];
            for (int i = 0; i < each; i++)
            {
                mine[i] = counter.getAndIncrement();
            }
            final long[] all = comm.allGather(mine);
            Arrays.sort(all);
            for (int i = 0; i < all.length; i++)
            {
                Expect.equal(1000L + i, all[i], "the values handed out are 1000, 1001, ... each once");
            }
            comm.barrier();
            Expect.equal(1000L + each * comm.size(), counter.get(), "final value");
            comm.barrier();
        }
    }

    /** Upstream scenario 11 with workers of 1 rank, and of 2 where the rank count allows. */
    static void batchEveryWorkerSize(final Communicator comm, final boolean onFilesystem) throws IOException
    {
        for (int workerSize = 1; workerSize <= 2; workerSize++)
        {
            if (comm.size() % workerSize == 0)
            {
                batch(comm, workerSize, onFilesystem ? sharedFolder(comm) : null);
            }
        }
    }

    /** Upstream scenario 11: 25 tasks taken by workers of {@code workerSize} ranks; each task runs once. */
    static void batch(final Communicator comm, final int workerSize, final Path folder) throws IOException
    {
        final int tasks = 25;
        final TaskBatch.Builder builder = TaskBatch.builder(comm, tasks).workerSize(workerSize);
        if (null != folder)
        {
            final List<String> names = new ArrayList<>();
            for (int t = 0; t < tasks; t++)
            {
                names.add("task-" + t);
            }
            builder.trackIn(folder.resolve("batch"), names);
        }
        final long[] seen = new long[tasks];
        try (TaskBatch batch = builder.build())
        {
            Expect.equal(comm.size() / workerSize, batch.workerCount(), "workers");
            Expect.equal(comm.rank() % workerSize, batch.workerRank(), "rank in the worker");
            for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask())
            {
                seen[task.getAsInt()]++;
                Expect.equal(TaskBatch.State.RUNNING, batch.getState(task.getAsInt()), "state of a task taken");
                batch.workerComm().barrier();
                if (batch.workerRank() == 0)
                {
                    batch.setState(task.getAsInt(), TaskBatch.State.DONE);
                }
            }
            comm.barrier();
            for (int t = 0; t < tasks; t++)
            {
                Expect.equal(TaskBatch.State.DONE, batch.getState(t), "state of task " + t + " at the end");
            }
            comm.allReduce(seen, ReduceOp.SUM);
            for (int t = 0; t < tasks; t++)
            {
                Expect.equal((long)workerSize, seen[t], "ranks that saw task " + t + " (one worker of " + workerSize + ")");
            }
            if (null != folder)
            {
                Expect.equal("DONE\n", Files.readString(folder.resolve("batch/task-7/state")), "state file of task 7");
            }
            comm.barrier();
        }
        if (null != folder)
        {
            removeFolder(comm, folder);
        }
    }

    /** A second job on the folder of an interrupted one skips DONE and RUNNING tasks unless asked. */
    static void batchResumes(final Communicator comm) throws IOException
    {
        final Path folder = sharedFolder(comm);
        final Path root = folder.resolve("batch");
        final List<String> names = new ArrayList<>();
        for (int t = 0; t < 10; t++)
        {
            names.add("t" + t);
        }
        try (TaskBatch first = TaskBatch.builder(comm, 10).trackIn(root, names).build())
        {
            if (comm.rank() == 0)
            {
                for (int t = 0; t < 4; t++)
                {
                    first.setState(t, t < 3 ? TaskBatch.State.DONE : TaskBatch.State.FAILED);
                }
                first.setState(4, TaskBatch.State.RUNNING); // its worker "crashed"
            }
            comm.barrier();
        }
        final long[] taken = new long[10];
        try (TaskBatch second = TaskBatch.builder(comm, 10).trackIn(root, names).build())
        {
            for (OptionalInt task = second.nextTask(); task.isPresent(); task = second.nextTask())
            {
                taken[task.getAsInt()]++;
                second.setState(task.getAsInt(), TaskBatch.State.FAILED);
            }
            comm.allReduce(taken, ReduceOp.SUM);
            Expect.equal("[0, 0, 0, 0, 0, 1, 1, 1, 1, 1]", Arrays.toString(taken), "tasks the second job took");
            comm.barrier();
            final long[] retaken = new long[10];
            // One worker only: with RUNNING tasks allowed, another worker would take this one's tasks too.
            final Set<TaskBatch.State> alsoTake = Set.of(TaskBatch.State.RUNNING, TaskBatch.State.FAILED);
            for (OptionalInt task = second.worker() == 0 ? second.nextTask(alsoTake) : OptionalInt.empty();
                task.isPresent(); task = second.nextTask(alsoTake))
            {
                retaken[task.getAsInt()]++;
                second.setState(task.getAsInt(), TaskBatch.State.DONE); // else it would be taken again
            }
            comm.allReduce(retaken, ReduceOp.SUM);
            Expect.equal(second.worker() == 0 ? "[0, 0, 0, 1, 1, 1, 1, 1, 1, 1]" : "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
                Arrays.toString(Arrays.stream(retaken).map(n -> second.worker() == 0 ? n : 0).toArray()),
                "tasks taken again when RUNNING and FAILED ones may be (3 failed, 4 was running, 5-9 failed above)");
            comm.barrier();
        }
        Expect.throwsOf(IllegalArgumentException.class, () -> TaskBatch.builder(comm, 10).trackIn(root, names)
            .initialStates(new TaskBatch.State[10]).build(), "already exists");
        removeFolder(comm, folder);
    }

    static void batchRejects(final Communicator comm)
    {
        if (comm.size() > 1)
        {
            Expect.throwsOf(IllegalArgumentException.class,
                () -> TaskBatch.builder(comm, 5).workerSize(comm.size() + 1).build(), "failed on rank 0",
                "does not divide");
        }
        Expect.throwsOf(IllegalArgumentException.class,
            () -> TaskBatch.builder(comm, 3).trackIn(Path.of("/nonexistent"), List.of("a")).build(),
            "1 task folder names were given for 3 tasks");
        Expect.equal(TaskBatch.State.DONE, TaskBatch.State.of("DONE"), "state by name");
        Expect.equal(TaskBatch.State.INVALID, TaskBatch.State.of(-1), "state by value");
        Expect.equal(3, TaskBatch.State.FAILED.value(), "value of FAILED");
        Expect.throwsOf(IllegalArgumentException.class, () -> TaskBatch.State.of(7), "no task state has the value 7");
        Expect.throwsOf(IllegalArgumentException.class, () -> TaskBatch.State.of("done"), "no task state is named");
        try (TaskBatch batch = TaskBatch.builder(comm, 2).initialStates(TaskBatch.State.DONE, TaskBatch.State.OPEN)
            .build())
        {
            Expect.equal(TaskBatch.State.DONE, batch.getState(0), "initial state given on the owner");
            Expect.throwsOf(IllegalArgumentException.class, () -> batch.getState(2), "task 2 is out of range");
            comm.barrier();
        }
    }

    /**
     * Collective: task folder names that are not one path element of their own are refused on every rank,
     * naming the task, and nothing is written outside the tracking folder.
     */
    static void batchNamesStayInside(final Communicator comm) throws IOException
    {
        final Path parent = sharedFolder(comm);
        final Path root = parent.resolve("tasks");
        final Map<List<String>, String> refused = new java.util.LinkedHashMap<>();
        refused.put(List.of("ok", "../escape"), "task 1's folder name \"../escape\" contains a path separator");
        refused.put(List.of(parent.resolve("absolute").toString(), "ok"), "task 0's folder name \"" +
            parent.resolve("absolute") + "\" contains a path separator");
        refused.put(List.of("", "ok"), "task 0's folder name \"\" is empty");
        refused.put(List.of("ok", ".."), "task 1's folder name \"..\" names no folder of its own");
        refused.put(List.of("a/b", "ok"), "task 0's folder name \"a/b\" contains a path separator");
        refused.put(List.of("dup", "dup"), "tasks 0 and 1 have the same folder name \"dup\"");
        refused.put(List.of("ok", "line\nbreak"), "task 1's folder name \"line\\u000abreak\" contains a control " +
            "character");
        refused.put(java.util.Arrays.asList("ok", null), "task 1's folder name is null");
        for (final Map.Entry<List<String>, String> names : refused.entrySet())
        {
            Expect.throwsOf(IllegalArgumentException.class,
                () -> TaskBatch.builder(comm, 2).trackIn(root, names.getKey())
                    .build(), "failed on rank 0", names.getValue());
        }
        comm.barrier();
        try (java.util.stream.Stream<Path> written = Files.list(parent))
        {
            Expect.equal(List.of(), written.map(Path::toString).collect(java.util.stream.Collectors.toList()),
                "what refused batches wrote next to the tracking folder");
        }
        comm.barrier(); // every rank has looked before rank 0 adds to the folder
        // A tracking folder that links to a folder others can write is refused on every rank.
        final Path open = parent.resolve("open");
        if (comm.rank() == 0)
        {
            Files.createDirectory(open);
            Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.createSymbolicLink(root, open);
        }
        comm.barrier();
        Expect.throwsOf(PshmemException.class, () -> TaskBatch.builder(comm, 1).trackIn(root, List.of("t")).build(),
            "is a symbolic link to " + open.toRealPath(), "which other users can write");
        removeFolder(comm, parent);
    }

    /** Collective: a new temporary folder, made by rank 0, on a filesystem every rank of this host sees. */
    static Path sharedFolder(final Communicator comm) throws IOException
    {
        final String made = comm.rank() == 0 ? Files.createTempDirectory("pshmem-scenario-").toString() : null;
        return Path.of(comm.broadcast(made, 0));
    }

    static void removeFolder(final Communicator comm, final Path folder) throws IOException
    {
        comm.barrier();
        if (comm.rank() == 0)
        {
            try (java.util.stream.Stream<Path> paths = Files.walk(folder))
            {
                paths.sorted(java.util.Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
        comm.barrier();
    }
}
