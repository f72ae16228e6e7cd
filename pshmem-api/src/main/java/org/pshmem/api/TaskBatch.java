package org.pshmem.api;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A pool of workers, each a group of {@code workerSize} ranks, taking tasks from a fixed list (upstream
 * pshmem's {@code MPIBatch}). The task states belong to an owner rank; every change happens with exclusive
 * access (see {@link DistributedLock} for how that works without one-sided MPI). Worker {@code w} is ranks
 * {@code w * workerSize} to {@code (w + 1) * workerSize - 1}, with its own communicator.
 *
 * <p>With filesystem tracking, each task has a folder under a root folder holding a file {@code state} with
 * the state's name and a newline. The file is the truth: every read under exclusive access takes the state
 * from it. A write goes to a temporary file that is flushed to disk, renamed into place, and the folder is
 * flushed too, so a crash leaves the old or the new state, never a torn one. A file lock on the root folder
 * makes a second job on the same folder, even while the first still runs, skip tasks RUNNING or DONE (unless
 * asked not to), so no task runs twice.
 *
 * <pre>{@code
 * try (TaskBatch batch = TaskBatch.builder(comm, 25).workerSize(2).build()) {     // collective
 *     for (OptionalInt task = batch.nextTask(); task.isPresent(); task = batch.nextTask()) {
 *         ... work on task.getAsInt() with batch.workerComm() ...
 *         if (batch.workerRank() == 0) batch.setState(task.getAsInt(), TaskBatch.State.DONE);
 *     }
 * }
 * }</pre>
 *
 * <p>{@code build()} and {@code close()} are collective over the communicator, and {@code nextTask()} and
 * {@code nextTask(alsoTake)} over the calling rank's worker; {@code getState} and {@code setState} are called by one rank on its own and talk only
 * to the owner's state; the builder and the accessors ({@code worker()}, {@code workerCount()},
 * {@code workerRank()}, {@code workerComm()}, {@code taskCount()}) are local.
 *
 * <p>One thread of a rank uses a batch at a time.
 *
 * <p>Interrupts: no method can be interrupted. An interrupted rank keeps waiting, parked, returns with its
 * interrupt flag set, and its state files are written all the same (file I/O runs with the flag down).
 */
public final class TaskBatch implements AutoCloseable
{
    /** Task states, with upstream's values. */
    public enum State
    {
        /** Not a valid task state (-1). */
        INVALID(-1),
        /** Waiting for a worker (0). */
        OPEN(0),
        /** Taken by a worker (1). */
        RUNNING(1),
        /** Finished (2). */
        DONE(2),
        /** Failed (3). */
        FAILED(3);

        private final int value;

        State(final int value)
        {
            this.value = value;
        }

        /**
         * Returns upstream's integer value.
         *
         * @return upstream's integer value.
         */
        public int value()
        {
            return value;
        }

        /**
         * Returns the state.
         *
         * @param value an integer value from -1 to 3.
         * @return the state.
         * @throws IllegalArgumentException for any other value.
         */
        public static State of(final int value)
        {
            for (final State state : values())
            {
                if (state.value == value)
                {
                    return state;
                }
            }
            throw new IllegalArgumentException("no task state has the value " + value + "; states are -1 to 3");
        }

        /**
         * Returns the state.
         *
         * @param name a state's name, such as {@code DONE}.
         * @return the state.
         * @throws IllegalArgumentException for any other text.
         */
        public static State of(final String name)
        {
            for (final State state : values())
            {
                if (state.name().equals(name))
                {
                    return state;
                }
            }
            throw new IllegalArgumentException("no task state is named '" + name + "'; names are " +
                Arrays.toString(values()));
        }
    }

    /** Options of a batch; {@link #build()} is collective. */
    public static final class Builder
    {
        private final Communicator comm;
        private final int tasks;
        private int workerSize = 1;
        private int owner;
        private State[] initial;
        private Path root;
        private List<String> names;

        private Builder(final Communicator comm, final int tasks)
        {
            this.comm = comm;
            this.tasks = tasks;
        }

        /**
         * Returns this.
         *
         * @param size ranks per worker; must divide the communicator's size. Default 1.
         * @return this.
         */
        public Builder workerSize(final int size)
        {
            this.workerSize = size;
            return this;
        }

        /**
         * Returns this.
         *
         * @param rank the rank that owns the states. Default 0.
         * @return this.
         */
        public Builder owner(final int rank)
        {
            this.owner = rank;
            return this;
        }

        /**
         * Returns this.
         *
         * @param states initial state of each task, used on the owner (default: all OPEN); not INVALID.
         * @return this.
         */
        public Builder initialStates(final State... states)
        {
            this.initial = states.clone();
            return this;
        }

        /**
         * Returns this.
         *
         * @param rootFolder folder holding one folder per task.
         * @param taskNames  the task folders' names, one per task.
         * @return this.
         */
        public Builder trackIn(final Path rootFolder, final List<String> taskNames)
        {
            this.root = rootFolder;
            // Nulls are kept, so that build() refuses them on every rank, naming the task.
            this.names = null == taskNames ? null : java.util.Collections.unmodifiableList(
                new java.util.ArrayList<>(taskNames));
            return this;
        }

        /**
         * Collective.
         *
         * @return the batch.
         * @throws IllegalArgumentException on every rank for bad options.
         */
        public TaskBatch build()
        {
            return new TaskBatch(this);
        }
    }

    /** The operations on the state list, run with exclusive access on the owner's state. */
    private enum Op
    {
        /** Take the first task that is OPEN or in the states of the mask {@code a}; returns it, or NO_TASK. */
        NEXT,
        /** Set task {@code a} to the state of value {@code b}. */
        SET,
        /** Returns the state value of task {@code a}. */
        GET
    }

    /** A set of task states as it travels to the owner, in one long: bit {@code s.value()} for each state s. */
    private static final class StateMask
    {
        private StateMask()
        {
        }

        static long of(final Set<State> states)
        {
            long mask = 0;
            for (final State state : states)
            {
                mask |= 1L << state.value();
            }
            return mask;
        }

        static boolean includes(final long mask, final State state)
        {
            return state != State.INVALID && (mask & 1L << state.value()) != 0;
        }
    }

    /**
     * The batch's state, slots of an {@link OwnedState} ({@link OwnedStateLayout} in node memory):
     * <pre>
     *   task t    the {@link State#value()} of task t (a batch of no task keeps one unused slot)
     * </pre>
     * "PSHMTASK" in ASCII.
     */
    static final LayoutHeader LAYOUT = new LayoutHeader(0x5053_484D_5441_534BL, 1, "the state of a task batch");

    /** What {@link #take} finds: no task left, or (only between the ranks of a worker) a failure to take one. */
    private static final long NO_TASK = -1;
    private static final long TAKE_FAILED = -2;
    private static final Map<Path, ReentrantLock> FOLDER_LOCKS = new ConcurrentHashMap<>();

    private final Communicator comm;
    private final Communicator workerComm;
    private final int tasks;
    private final int workerSize;
    private final Path root;
    private final List<String> names;
    private final OwnedState<Op> state;
    private boolean closed;

    /**
     * Returns a builder of a batch of {@code tasks} tasks over {@code comm}: set options, then call
     * {@link Builder#build()} on every rank.
     *
     * @param comm  the ranks taking part.
     * @param tasks number of tasks.
     * @return options to set, then {@link Builder#build()}.
     */
    public static Builder builder(final Communicator comm, final int tasks)
    {
        return new Builder(comm, tasks);
    }

    private TaskBatch(final Builder options)
    {
        this.comm = options.comm;
        this.tasks = options.tasks;
        this.workerSize = options.workerSize;
        this.root = null == options.root ? null : options.root.toAbsolutePath();
        this.names = options.names;
        final String op = "TaskBatch.build()";
        String problem = null;
        if (tasks < 0)
        {
            problem = "the number of tasks is " + tasks;
        }
        else if (workerSize < 1 || comm.size() % workerSize != 0)
        {
            problem = "worker size " + workerSize + " does not divide the " + comm.size() + " ranks";
        }
        else if (null != options.root && null == names)
        {
            problem = "the list of task folder names is null";
        }
        else if (null != root && names.size() != tasks)
        {
            problem = names.size() + " task folder names were given for " + tasks + " tasks";
        }
        else if (null != root && null != TaskFolderNames.problem(names))
        {
            problem = TaskFolderNames.problem(names);
        }
        else if (comm.rank() == options.owner && null != options.initial && options.initial.length != tasks)
        {
            problem = options.initial.length + " initial states were given for " + tasks + " tasks";
        }
        else if (comm.rank() == options.owner && null != options.initial && null != root && Files.exists(root))
        {
            problem = "initial states were given but the tracking folder " + root + " already exists";
        }
        else if (comm.rank() == options.owner && null != options.initial && invalidInitial(options.initial) >= 0)
        {
            problem = "the initial state of task " + invalidInitial(options.initial) + " is " +
                options.initial[invalidInitial(options.initial)] + "; it must be OPEN, RUNNING, DONE or FAILED";
        }
        DistributedLock.checkOwner(comm, options.owner, op);
        Agreement.check(comm.endpoint(), op, Agreement.Status.BAD_ARGUMENT, problem, null);
        this.workerComm = comm.split(comm.rank() / workerSize, comm.rank());
        this.state = OwnedState.create(comm, options.owner, Math.max(1, tasks), OwnedState.NO_GRANTS, Op.class,
            this::apply, LAYOUT, "batch");
        try
        {
            prepare(options, op);
        }
        catch (final RuntimeException ex)
        {
            // Every rank takes this path together (the failure is agreed), so the collective close is safe.
            state.close();
            workerComm.close();
            throw ex;
        }
    }

    /** @return the first task whose initial state is null or INVALID, or -1. */
    private static int invalidInitial(final State[] initial)
    {
        for (int task = 0; task < initial.length; task++)
        {
            if (null == initial[task] || initial[task] == State.INVALID)
            {
                return task;
            }
        }
        return -1;
    }

    private void prepare(final Builder options, final String op)
    {
        String setup = null;
        if (comm.rank() == options.owner)
        {
            try
            {
                if (null != root)
                {
                    Files.createDirectories(root);
                    checkRootLink();
                    withFolderLock(() ->
                    {
                        prepareFolders(options.initial);
                        return 0;
                    });
                }
                else if (null != options.initial)
                {
                    for (int task = 0; task < tasks; task++)
                    {
                        state.execute(Op.SET, task, options.initial[task].value());
                    }
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                setup = "could not prepare the tracking folder " + root + ": " + ex;
            }
        }
        Agreement.check(comm.endpoint(), op, Agreement.Status.FAILURE, setup, null);
    }

    /**
     * Refuses a tracking folder that is a symbolic link to a folder other users can write, where they could
     * swap the task folders under this job.
     */
    private void checkRootLink() throws IOException
    {
        if (!Files.isSymbolicLink(root))
        {
            return;
        }
        final Path target = root.toRealPath();
        final java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions =
            Files.getPosixFilePermissions(target);
        if (permissions.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE) ||
            permissions.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE))
        {
            throw new IOException("the tracking folder " + root + " is a symbolic link to " + target + ", which " +
                "other users can write; give the folder itself, or make it writable by its owner only");
        }
    }

    private void prepareFolders(final State[] initial) throws IOException
    {
        for (int task = 0; task < tasks; task++)
        {
            final Path folder = root.resolve(names.get(task));
            Files.createDirectories(folder);
            if (Files.isSymbolicLink(folder))
            {
                throw new IOException("the folder of task " + task + ", " + folder + ", is a symbolic link; a " +
                    "task's state is written only inside the tracking folder");
            }
            if (null != initial)
            {
                writeState(task, initial[task]);
            }
            else if (!Files.exists(folder.resolve("state")))
            {
                writeState(task, State.OPEN);
            }
        }
    }

    /** The state list, run with exclusive access (and, when tracked, the root folder's file lock). */
    private long apply(final Op op, final OwnedState.Slots slots, final long a, final long b, final int caller)
    {
        if (null == root)
        {
            return applyToSlots(op, slots, a, b);
        }
        try
        {
            return withFolderLock(() ->
            {
                // The files are the truth: each state the operation reads comes from its file, and corrects memory.
                final OwnedState.Slots fromFiles = new OwnedState.Slots()
                {
                    @Override
                    public long get(final int task)
                    {
                        try
                        {
                            slots.set(task, readState(task).value());
                        }
                        catch (final IOException ex)
                        {
                            throw new java.io.UncheckedIOException(ex);
                        }
                        return slots.get(task);
                    }

                    @Override
                    public void set(final int task, final long value)
                    {
                        slots.set(task, value);
                    }
                };
                final long result;
                try
                {
                    result = applyToSlots(op, fromFiles, a, b);
                }
                catch (final java.io.UncheckedIOException ex)
                {
                    throw ex.getCause();
                }
                if (op == Op.NEXT && result != NO_TASK)
                {
                    writeState((int)result, State.RUNNING);
                }
                else if (op == Op.SET)
                {
                    writeState((int)a, State.of((int)b));
                }
                return result;
            });
        }
        catch (final IOException ex)
        {
            throw new PshmemException("task batch on rank " + caller + ": tracking folder " + root + ": " + ex, ex);
        }
    }

    private interface FolderAction
    {
        long run() throws IOException;
    }

    /**
     * Runs with the root folder locked against other jobs (file lock) and other ranks of this JVM, and with the
     * interrupt flag down: an interrupted thread's file channel closes, and a state would not be written.
     */
    private long withFolderLock(final FolderAction action) throws IOException
    {
        final boolean interrupted = InterruptDeferral.takeDown();
        try
        {
            return withFolderLockedUninterrupted(action);
        }
        finally
        {
            InterruptDeferral.restore(interrupted);
        }
    }

    private long withFolderLockedUninterrupted(final FolderAction action) throws IOException
    {
        final ReentrantLock inProcess = FOLDER_LOCKS.computeIfAbsent(root, r -> new ReentrantLock());
        inProcess.lock();
        try (FileChannel channel = FileChannel.open(root.resolve(TaskFolderNames.LOCK_FILE), StandardOpenOption.CREATE,
            StandardOpenOption.WRITE); FileLock lock = channel.lock())
        {
            return action.run();
        }
        finally
        {
            inProcess.unlock();
        }
    }

    private long applyToSlots(final Op op, final OwnedState.Slots slots, final long a, final long b)
    {
        switch (op)
        {
            case NEXT:
                for (int task = 0; task < tasks; task++)
                {
                    final State current = State.of((int)slots.get(task));
                    if (current == State.OPEN || StateMask.includes(a, current))
                    {
                        slots.set(task, State.RUNNING.value());
                        return task;
                    }
                }
                return NO_TASK;
            case SET:
                slots.set((int)a, b);
                return b;
            default:
                return slots.get((int)a);
        }
    }

    private State readState(final int task) throws IOException
    {
        final Path file = root.resolve(names.get(task)).resolve("state");
        if (!Files.exists(file))
        {
            writeState(task, State.OPEN);
            return State.OPEN;
        }
        return State.of(Files.readString(file, StandardCharsets.UTF_8).trim());
    }

    /** Temporary file, flushed; renamed into place; folder flushed: old or new state survives a crash. */
    private void writeState(final int task, final State value) throws IOException
    {
        final Path folder = root.resolve(names.get(task));
        final Path temporary = folder.resolve("state.tmp-" + ProcessHandle.current().pid() + "-" +
            Thread.currentThread().getId());
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.wrap((value.name() + "\n").getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temporary, folder.resolve("state"), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel directory = FileChannel.open(folder, StandardOpenOption.READ))
        {
            directory.force(true);
        }
    }

    /**
     * Returns this rank's worker, from 0.
     *
     * @return this rank's worker, from 0.
     */
    public int worker()
    {
        return comm.rank() / workerSize;
    }

    /**
     * Returns the number of workers.
     *
     * @return number of workers.
     */
    public int workerCount()
    {
        return comm.size() / workerSize;
    }

    /**
     * Returns this rank's rank in its worker.
     *
     * @return this rank's rank in its worker.
     */
    public int workerRank()
    {
        return workerComm.rank();
    }

    /**
     * Returns the communicator of this rank's worker; owned by the batch.
     *
     * @return the communicator of this rank's worker; owned by the batch.
     */
    public Communicator workerComm()
    {
        return workerComm;
    }

    /**
     * Returns the number of tasks.
     *
     * @return number of tasks.
     */
    public int taskCount()
    {
        return tasks;
    }

    /**
     * Collective over the worker: takes the first OPEN task and marks it RUNNING.
     *
     * @return the task, or empty when none is left.
     * @throws IllegalStateException if the batch is closed.
     */
    public OptionalInt nextTask()
    {
        return take(Set.of());
    }

    /**
     * Collective over the worker: takes the first task that is OPEN or in one of the states {@code alsoTake},
     * and marks it RUNNING. Worker rank 0's set is the one used; the other ranks of the worker should pass the
     * same.
     *
     * @param alsoTake states whose tasks are taken too, besides OPEN ones: any of RUNNING (for example, after a
     *                 crash), FAILED and DONE; may be empty, as in {@code Set.of()}, which is {@link #nextTask()}.
     * @return the task, or empty when none is left.
     * @throws NullPointerException     if {@code alsoTake} is or holds null.
     * @throws IllegalArgumentException if {@code alsoTake} holds OPEN (always taken) or INVALID (never a task's
     *                                  state); checked on the calling rank before any communication.
     * @throws IllegalStateException    if the batch is closed.
     */
    public OptionalInt nextTask(final Set<State> alsoTake)
    {
        if (null == alsoTake)
        {
            throw new NullPointerException("nextTask() on rank " + comm.rank() + ": alsoTake is null");
        }
        for (final State taken : alsoTake)
        {
            if (null == taken)
            {
                throw new NullPointerException("nextTask() on rank " + comm.rank() + ": alsoTake holds null");
            }
            if (taken == State.OPEN || taken == State.INVALID)
            {
                throw new IllegalArgumentException("nextTask() on rank " + comm.rank() + ": alsoTake holds " + taken +
                    (taken == State.OPEN ? ", which is always taken" : ", which is never a task's state") +
                    "; it may hold RUNNING, FAILED and DONE");
            }
        }
        return take(alsoTake);
    }

    /** Takes a task for the worker, also from the states {@code alsoTake}. */
    private OptionalInt take(final Set<State> alsoTake)
    {
        checkOpen("nextTask()");
        long task = NO_TASK;
        String failure = null;
        if (workerComm.rank() == 0)
        {
            try
            {
                task = state.execute(Op.NEXT, StateMask.of(alsoTake), 0);
            }
            catch (final RuntimeException ex)
            {
                task = TAKE_FAILED;
                failure = String.valueOf(ex);
            }
        }
        task = workerComm.broadcast(task, 0);
        if (task == TAKE_FAILED)
        {
            // Every rank of the worker learns why, instead of waiting for a task that will not come.
            throw new PshmemException("nextTask() failed on rank " + (comm.rank() - workerComm.rank()) + ": " +
                workerComm.broadcast(failure, 0));
        }
        return task == NO_TASK ? OptionalInt.empty() : OptionalInt.of((int)task);
    }

    /**
     * Sets a task's state (not collective).
     *
     * @param task  the task.
     * @param value its new state: OPEN, RUNNING, DONE or FAILED.
     * @throws IllegalArgumentException if {@code task} is out of range, or {@code value} is INVALID, which is
     *                                  never a task's state.
     * @throws NullPointerException     if {@code value} is null.
     * @throws IllegalStateException    if the batch is closed.
     */
    public void setState(final int task, final State value)
    {
        checkTask("setState()", task);
        if (null == value)
        {
            throw new NullPointerException("setState() on rank " + comm.rank() + ": the new state of task " + task +
                " is null");
        }
        if (value == State.INVALID)
        {
            throw new IllegalArgumentException("setState() on rank " + comm.rank() + ": task " + task +
                " cannot be set to INVALID, which is never a task's state");
        }
        state.execute(Op.SET, task, value.value());
    }

    /**
     * Returns its state (from the tracking file when there is one).
     *
     * @param task the task.
     * @return its state (from the tracking file when there is one).
     */
    public State getState(final int task)
    {
        checkTask("getState()", task);
        return State.of((int)state.execute(Op.GET, task, 0));
    }

    private void checkTask(final String op, final int task)
    {
        checkOpen(op);
        if (task < 0 || task >= tasks)
        {
            throw new IllegalArgumentException(op + " on rank " + comm.rank() + ": task " + task +
                " is out of range for " + tasks + " tasks");
        }
    }

    private void checkOpen(final String op)
    {
        if (closed)
        {
            throw new IllegalStateException(op + " on rank " + comm.rank() + ": the batch is closed");
        }
    }

    /**
     * Collective; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            state.close();
            workerComm.close();
        }
    }
}
