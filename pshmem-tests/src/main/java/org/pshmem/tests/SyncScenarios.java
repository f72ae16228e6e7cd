package org.pshmem.tests;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;

import org.pshmem.api.Communicator;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.Sequential;
import org.pshmem.api.SharedCounter;
import org.pshmem.api.TaskBatch;

/**
 * Scenarios for turns in rank order ({@link Sequential}), the counter's start and step, and the task batch's
 * choice of states (mpi4py's {@code util.sync} and upstream pshmem's {@code MPIBatch}), checked on every rank.
 */
public final class SyncScenarios
{
    private SyncScenarios()
    {
    }

    /**
     * @return every scenario by name, in a stable order.
     */
    public static Map<String, Scenario> all()
    {
        final Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("sequentialInRankOrder", p -> sequentialInRankOrder(p.world(), 3));
        all.put("sequentialOverHalves", p ->
        {
            try (Communicator half = p.world().split(p.world().rank() % 2, p.world().rank()))
            {
                sequentialInRankOrder(half, 2);
            }
        });
        all.put("sequentialCountsInOrder", p -> sequentialCountsInOrder(p.world()));
        all.put("sequentialMisuse", p -> sequentialMisuse(p.world()));
        all.put("counterStartAndStep", p -> counterStartAndStep(p.world(), 10, 3));
        all.put("counterNegativeStepOnLastRank", p -> counterNegativeStep(p.world()));
        all.put("counterRejectsBadOptions", p -> counterRejects(p.world()));
        all.put("batchAlsoTakes", p -> batchAlsoTakes(p.world()));
        all.put("batchRejectsInvalid", p -> batchRejectsInvalid(p.world()));
        return all;
    }

    /**
     * {@code rounds} sequences of turns with no barrier between them: in its turn each rank appends
     * {@code round:rank} to a shared file, after checking that the file holds every turn that must come before
     * its own (ranks before it in this round; ranks up to it in earlier rounds) and none that must come after
     * (itself and later ranks in this round). Rank 0 dawdles in its turns, so a rank that did not wait would
     * find a turn missing. Consecutive sequences may overlap, as in mpi4py: rank 0 may begin its next turn
     * while later ranks are still in this one.
     */
    static void sequentialInRankOrder(final Communicator comm, final int rounds) throws Exception
    {
        final Path folder = CoordinationScenarios.sharedFolder(comm);
        final Path log = folder.resolve("turns");
        if (comm.rank() == 0)
        {
            Files.writeString(log, "");
        }
        comm.barrier();
        final int rank = comm.rank();
        for (int round = 0; round < rounds; round++)
        {
            try (Sequential turn = Sequential.begin(comm))
            {
                final List<String> seen = Arrays.asList(Files.readString(log, StandardCharsets.UTF_8).split(" "));
                for (int r = 0; r < comm.size(); r++)
                {
                    for (int k = 0; k <= round; k++)
                    {
                        final boolean before = k < round ? r <= rank : r < rank;
                        if (before || k == round)
                        {
                            Expect.equal(before, seen.contains(k + ":" + r), "turn " + k + ":" + r +
                                " written when rank " + rank + "'s turn of round " + round + " begins: " + seen);
                        }
                    }
                }
                if (rank == 0)
                {
                    Thread.sleep(100);
                }
                Files.writeString(log, round + ":" + rank + " ", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            }
        }
        comm.barrier();
        final List<String> all = Arrays.asList(Files.readString(log, StandardCharsets.UTF_8).split(" "));
        Expect.equal(rounds * comm.size(), all.size(), "turns written: " + all);
        for (int k = 0; k < rounds; k++)
        {
            for (int r = 1; r < comm.size(); r++)
            {
                Expect.isTrue(all.indexOf(k + ":" + (r - 1)) < all.indexOf(k + ":" + r),
                    "turn " + k + ":" + (r - 1) + " written before " + k + ":" + r + ": " + all);
            }
        }
        CoordinationScenarios.removeFolder(comm, folder);
    }

    /** In its turn each rank takes the next number of a counter: rank r takes r, in every sequence. */
    static void sequentialCountsInOrder(final Communicator comm) throws Exception
    {
        try (SharedCounter counter = SharedCounter.create(comm))
        {
            for (int round = 0; round < 3; round++)
            {
                final long taken;
                try (Sequential turn = Sequential.begin(comm))
                {
                    if (comm.rank() == comm.size() - 1 - round % comm.size())
                    {
                        Thread.sleep(50); // a different rank is slow each round
                    }
                    taken = counter.getAndIncrement();
                }
                Expect.equal((long)round * comm.size() + comm.rank(), taken,
                    "number rank " + comm.rank() + " took in its turn of round " + round);
                comm.barrier(); // else rank 0's next turn may come before the last rank's turn in this one
            }
            comm.barrier();
            Expect.equal(3L * comm.size(), counter.get(), "numbers taken");
            comm.barrier();
        }
    }

    /** Nested turns on one communicator are refused; close is idempotent; turns on other communicators nest. */
    static void sequentialMisuse(final Communicator comm) throws Exception
    {
        Expect.throwsOf(NullPointerException.class, () -> Sequential.begin(null), "comm is null");
        try (SharedCounter counter = SharedCounter.create(comm);
            Communicator alone = comm.split(comm.rank(), 0))
        {
            for (int round = 0; round < 2; round++)
            {
                final Sequential turn = Sequential.begin(comm);
                try
                {
                    Expect.throwsOf(IllegalStateException.class, () -> Sequential.begin(comm),
                        "Sequential.begin() on rank " + comm.rank(), "previous turn", "still open");
                    try (Sequential inner = Sequential.begin(alone))
                    {
                        Expect.equal("Sequential[turn of rank 0 of 1]", inner.toString(),
                            "a turn on a one-rank split");
                    }
                    if (comm.rank() == 0)
                    {
                        Thread.sleep(50); // a stray hand-over would let rank 1 take a number first
                    }
                    Expect.equal((long)round * comm.size() + comm.rank(), counter.getAndIncrement(),
                        "number taken in rank " + comm.rank() + "'s turn of round " + round);
                }
                finally
                {
                    turn.close();
                    turn.close();
                }
                Expect.isTrue(turn.toString().endsWith(", closed]"), "a closed turn shows it: " + turn);
                comm.barrier();
            }
        }
        final Communicator split = comm.split(0, comm.rank());
        split.close();
        Expect.throwsOf(IllegalStateException.class, () -> Sequential.begin(split), "is closed");
    }

    /** Values taken by every rank with both increments are exactly start, start + step, ..., each once. */
    static void counterStartAndStep(final Communicator comm, final long start, final long step)
    {
        final int each = 40;
        try (SharedCounter counter = SharedCounter.create(comm, start, step))
        {
            Expect.equal(start, counter.start(), "start");
            Expect.equal(step, counter.step(), "step");
            final long[] mine = new long[each];
            for (int i = 0; i < each; i++)
            {
                mine[i] = i % 2 == 0 ? counter.getAndIncrement() : counter.incrementAndGet() - step;
            }
            final long[] all = (long[])comm.allGather(mine);
            Arrays.sort(all);
            for (int i = 0; i < all.length; i++)
            {
                Expect.equal(start + step * i, all[i], "value " + i + " handed out (start " + start + ", step " +
                    step + "), each once");
            }
            comm.barrier();
            final long end = start + step * each * comm.size();
            Expect.equal(end, counter.get(), "value after every rank took " + each);
            comm.barrier();
            final long added = counter.addAndGet(comm.rank() + 1L) - (comm.rank() + 1L);
            final long[] before = comm.allGather(added);
            Arrays.sort(before);
            comm.barrier();
            final long total = end + (long)comm.size() * (comm.size() + 1) / 2;
            Expect.equal(total, counter.get(), "value after every rank r added r + 1");
            Expect.equal(end, before[0], "the first addAndGet saw the value before any addition");
            Expect.equal(total, counter.getAndAdd(0), "getAndAdd(0)");
            comm.barrier();
        }
    }

    /** Owned by the last rank, counting down by 2 from 100: both increments together take 100, 98, ..., each once. */
    static void counterNegativeStep(final Communicator comm)
    {
        try (SharedCounter counter = SharedCounter.builder(comm).owner(comm.size() - 1).start(100).step(-2).build())
        {
            final long before = counter.getAndIncrement();
            final long after = counter.incrementAndGet();
            final long[] all = (long[])comm.allGather(new long[] {before, after + 2});
            Arrays.sort(all);
            for (int i = 0; i < all.length; i++)
            {
                Expect.equal(100L - 2L * (all.length - 1 - i), all[i], "value " + i + " of " + Arrays.toString(all));
            }
            comm.barrier();
            Expect.equal(100L - 2L * all.length, counter.get(), "value after " + all.length + " steps of -2 from 100");
            comm.barrier();
        }
    }

    static void counterRejects(final Communicator comm)
    {
        if (comm.size() > 1)
        {
            Expect.throwsOf(IllegalArgumentException.class,
                () -> SharedCounter.create(comm, 0, comm.rank() == 1 ? 2 : 1), "on rank " + comm.rank(),
                "ranks disagree on the step: rank 0 passed 1, rank 1 passed 2");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> SharedCounter.builder(comm).start(comm.rank() == 1 ? 5 : 0).build(),
                "ranks disagree on the start: rank 0 passed 0, rank 1 passed 5");
        }
        Expect.throwsOf(IllegalArgumentException.class,
            () -> SharedCounter.builder(comm).owner(comm.size()).build(),
            "SharedCounter.create() on rank " + comm.rank(), "owner " + comm.size() + " is out of range");
        Expect.throwsOf(NullPointerException.class, () -> SharedCounter.builder(null), "comm is null");
        final SharedCounter closed = SharedCounter.create(comm, 7, 7);
        closed.close();
        closed.close();
        Expect.throwsOf(IllegalStateException.class, closed::incrementAndGet,
            "incrementAndGet() on rank " + comm.rank(), "closed");
        Expect.throwsOf(IllegalStateException.class, () -> closed.addAndGet(1), "addAndGet() on rank", "closed");
    }

    /**
     * One worker of every rank; initial states DONE, FAILED, RUNNING, OPEN, DONE. Taking DONE as well takes
     * tasks 0, 3 and 4 (left FAILED); then RUNNING and FAILED take all five (left DONE).
     */
    static void batchAlsoTakes(final Communicator comm)
    {
        final TaskBatch.State[] initial = {TaskBatch.State.DONE, TaskBatch.State.FAILED, TaskBatch.State.RUNNING,
            TaskBatch.State.OPEN, TaskBatch.State.DONE};
        try (TaskBatch batch = TaskBatch.builder(comm, initial.length).workerSize(comm.size()).initialStates(initial)
            .build())
        {
            Expect.equal(List.of(0, 3, 4), takeAll(batch, Set.of(TaskBatch.State.DONE), TaskBatch.State.FAILED),
                "tasks taken OPEN or DONE");
            Expect.equal(List.of(), takeAll(batch, Set.of(), TaskBatch.State.FAILED),
                "tasks taken OPEN only (an empty set)");
            Expect.isTrue(batch.nextTask().isEmpty(), "nextTask() finds no OPEN task");
            Expect.equal(List.of(0, 1, 2, 3, 4), takeAll(batch,
                Set.of(TaskBatch.State.RUNNING, TaskBatch.State.FAILED), TaskBatch.State.DONE),
                "tasks taken RUNNING or FAILED");
            comm.barrier();
            for (int t = 0; t < initial.length; t++)
            {
                Expect.equal(TaskBatch.State.DONE, batch.getState(t), "state of task " + t + " at the end");
            }
            comm.barrier();
        }
    }

    /** Takes tasks until none is left, leaving each in state {@code leave}; returns them in the order taken. */
    private static List<Integer> takeAll(final TaskBatch batch, final Set<TaskBatch.State> alsoTake,
        final TaskBatch.State leave)
    {
        final List<Integer> taken = new ArrayList<>();
        for (OptionalInt task = batch.nextTask(alsoTake); task.isPresent(); task = batch.nextTask(alsoTake))
        {
            taken.add(task.getAsInt());
            Expect.isTrue(taken.size() <= batch.taskCount(), "no task taken twice with " + alsoTake + ": " + taken);
            Expect.equal(TaskBatch.State.RUNNING, batch.getState(task.getAsInt()), "state of a task taken");
            batch.workerComm().barrier();
            if (batch.workerRank() == 0)
            {
                batch.setState(task.getAsInt(), leave);
            }
            batch.workerComm().barrier();
        }
        return taken;
    }

    /** OPEN and INVALID in alsoTake, INVALID in setState and in the initial states are refused. */
    static void batchRejectsInvalid(final Communicator comm)
    {
        Expect.throwsOf(IllegalArgumentException.class, () -> TaskBatch.builder(comm, 3)
            .initialStates(TaskBatch.State.OPEN, TaskBatch.State.INVALID, TaskBatch.State.DONE).build(),
            "TaskBatch.build() failed on rank 0", "the initial state of task 1 is INVALID");
        try (TaskBatch batch = TaskBatch.builder(comm, 3).build())
        {
            Expect.throwsOf(IllegalArgumentException.class, () -> batch.nextTask(Set.of(TaskBatch.State.OPEN)),
                "nextTask() on rank " + comm.rank(), "alsoTake holds OPEN, which is always taken");
            Expect.throwsOf(IllegalArgumentException.class,
                () -> batch.nextTask(Set.of(TaskBatch.State.DONE, TaskBatch.State.INVALID)),
                "nextTask() on rank " + comm.rank(), "alsoTake holds INVALID, which is never a task's state");
            Expect.throwsOf(NullPointerException.class, () -> batch.nextTask(null), "alsoTake is null");
            Expect.throwsOf(IllegalArgumentException.class, () -> batch.setState(2, TaskBatch.State.INVALID),
                "setState() on rank " + comm.rank(), "task 2 cannot be set to INVALID");
            Expect.throwsOf(NullPointerException.class, () -> batch.setState(1, null), "task 1", "null");
            comm.barrier();
            for (int t = 0; t < 3; t++)
            {
                Expect.equal(TaskBatch.State.OPEN, batch.getState(t), "task " + t + " untouched by refused calls");
            }
            comm.barrier();
            final long taken = batch.nextTask(Set.of(TaskBatch.State.DONE)).isPresent() ? 1 : 0;
            Expect.equal((long)Math.min(3, comm.size()), comm.allReduce(taken, ReduceOp.SUM),
                "after the refusals, every worker can still take a task");
            comm.barrier();
        }
    }
}
