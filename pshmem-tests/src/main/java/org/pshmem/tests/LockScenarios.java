package org.pshmem.tests;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

import org.pshmem.api.Communicator;
import org.pshmem.api.DistributedCondition;
import org.pshmem.api.DistributedLock;
import org.pshmem.api.DistributedSemaphore;
import org.pshmem.api.ReduceOp;
import org.pshmem.api.SharedCounter;
import org.pshmem.api.SharedLongArray;
import org.pshmem.api.SharedArray;
import org.pshmem.api.Sequential;
import org.pshmem.api.TaskBatch;

/**
 * Scenarios for the java.util.concurrent semantics of the lock, its conditions and the semaphore, and for
 * interrupts: misuse throws, interrupted waits withdraw or park, and the job goes on afterwards.
 */
public final class LockScenarios
{
    /** Thread CPU an interrupted rank may use while it waits {@link #WAIT_MS}: a spinning one uses all of it. */
    static final long MAX_WAIT_CPU_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    static final long WAIT_MS = 1000;

    private LockScenarios()
    {
    }

    /**
     * @return every scenario by name, in a stable order.
     */
    public static Map<String, Scenario> all()
    {
        final Map<String, Scenario> all = new LinkedHashMap<>();
        all.put("lockMisuseThrows", p -> lockMisuse(p.world()));
        all.put("reentrantLockCountsHolds", p -> reentrant(p.world()));
        all.put("lockInterruptiblyWithdraws", p -> lockInterruptibly(p.world()));
        all.put("interruptedWaitsParkAndGoOn", p -> interruptedWaitsPark(p.world()));
        all.put("interruptedRankWritesBatchFilesAndTakesItsTurn", p -> interruptedBatchAndTurn(p.world()));
        all.put("conditionAwaitSignal", p -> conditionSignalAll(p.world()));
        all.put("conditionSignalsInOrder", p -> conditionSignalOrder(p.world()));
        all.put("conditionMisuseAndTimeout", p -> conditionMisuse(p.world()));
        all.put("semaphoreBoundsConcurrency", p -> semaphoreBounds(p.world()));
        all.put("semaphoreMisuseAndInterrupt", p -> semaphoreMisuse(p.world()));
        return all;
    }

    static void lockMisuse(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            Expect.isTrue(!lock.isReentrant(), "create() makes a lock that is not reentrant");
            Expect.throwsOf(IllegalMonitorStateException.class, lock::unlock, "unlock() on rank " + comm.rank(),
                "does not hold the lock");
            for (int turn = 0; turn < comm.size(); turn++)
            {
                if (turn == comm.rank())
                {
                    lock.lock();
                    Expect.equal(1, lock.getHoldCount(), "hold count after lock()");
                    Expect.throwsOf(IllegalMonitorStateException.class, lock::lock, "already holds the lock",
                        "not reentrant");
                    Expect.throwsOf(IllegalMonitorStateException.class, lock::tryLock, "already holds the lock");
                    Expect.throwsOf(IllegalMonitorStateException.class, () -> lock.tryLock(1, TimeUnit.SECONDS),
                        "already holds the lock");
                    Expect.equal(1, lock.getHoldCount(), "hold count after refused re-entry");
                    lock.unlock();
                    Expect.equal(0, lock.getHoldCount(), "hold count after unlock()");
                    Expect.throwsOf(IllegalMonitorStateException.class, lock::unlock, "does not hold the lock");
                }
                comm.barrier();
            }
            // tryLock() never waits: while rank 0 holds it, the others fail at once.
            if (comm.rank() == 0)
            {
                Expect.isTrue(lock.tryLock(), "tryLock() on a free lock");
            }
            comm.barrier();
            if (comm.rank() != 0)
            {
                Expect.isTrue(!lock.tryLock(), "tryLock() while rank 0 holds the lock");
                Expect.isTrue(!lock.tryLock(0, TimeUnit.SECONDS), "tryLock(0) while rank 0 holds the lock");
            }
            comm.barrier();
            if (comm.rank() == 0)
            {
                lock.unlock();
            }
        }
    }

    static void reentrant(final Communicator comm) throws IOException
    {
        final Path folder = CoordinationScenarios.sharedFolder(comm);
        final Path file = folder.resolve("count");
        if (comm.rank() == 0)
        {
            Files.writeString(file, "0");
        }
        comm.barrier();
        final int times = 10;
        try (DistributedLock lock = DistributedLock.createReentrant(comm, comm.size() - 1))
        {
            Expect.isTrue(lock.isReentrant(), "createReentrant() makes a reentrant lock");
            for (int i = 0; i < times; i++)
            {
                lock.lock();
                try (DistributedLock.Held again = lock.hold())
                {
                    Expect.isTrue(lock.tryLock(), "tryLock() by the holder of a reentrant lock");
                    Expect.equal(3, lock.getHoldCount(), "holds after lock(), hold() and tryLock()");
                    final long value = Long.parseLong(Files.readString(file).trim());
                    Thread.yield();
                    Files.writeString(file, Long.toString(value + 1));
                    lock.unlock();
                }
                Expect.equal(1, lock.getHoldCount(), "holds after two of three releases");
                Expect.isTrue(lock.isHeldByThisRank(), "still held with one hold left");
                lock.unlock();
                Expect.isTrue(!lock.isHeldByThisRank(), "released after the last unlock()");
            }
        }
        comm.barrier();
        Expect.equal((long)times * comm.size(), Long.parseLong(Files.readString(file).trim()),
            "count after every rank added " + times + " under the reentrant lock");
        CoordinationScenarios.removeFolder(comm, folder);
    }

    /** Rank 0 holds the lock; the others wait interruptibly and are interrupted: each withdraws, and the lock
     *  then goes round every rank as if they had never asked. */
    static void lockInterruptibly(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm))
        {
            Thread.currentThread().interrupt();
            Expect.throwsOf(InterruptedException.class, lock::lockInterruptibly, "interrupted before waiting");
            Expect.isTrue(!Thread.currentThread().isInterrupted(), "the flag is cleared by the exception");
            Expect.isTrue(!lock.isHeldByThisRank(), "not held after an interrupted lockInterruptibly()");
            if (comm.rank() == 0)
            {
                lock.lock();
            }
            comm.barrier();
            if (comm.rank() != 0)
            {
                try (Interrupter interrupter = Interrupter.inInterruptibleWait(200))
                {
                    Expect.throwsOf(InterruptedException.class, lock::lockInterruptibly, "rank " + comm.rank(),
                        "request is withdrawn");
                }
                try (Interrupter interrupter = Interrupter.inInterruptibleWait(200))
                {
                    Expect.throwsOf(InterruptedException.class, () -> lock.tryLock(1, TimeUnit.DAYS),
                        "request is withdrawn");
                }
                Expect.isTrue(!lock.isHeldByThisRank(), "not held after interrupted waits");
            }
            comm.barrier();
            if (comm.rank() == 0)
            {
                lock.unlock();
            }
            // Withdrawn requests left nothing behind: every rank gets the lock in turn.
            for (int round = 0; round < 3; round++)
            {
                lock.lockInterruptibly();
                Expect.equal(1, lock.getHoldCount(), "held after lockInterruptibly()");
                lock.unlock();
            }
            comm.barrier();
        }
    }

    /**
     * The uninterruptible waits (lock() and set()) of ranks interrupted while they wait: each parks instead of
     * spinning, returns normally with the flag still set, and the job's next collective works.
     */
    static void interruptedWaitsPark(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm);
            SharedLongArray array = SharedArray.ofLongs(comm, comm.size()))
        {
            if (comm.rank() == 0)
            {
                lock.lock();
            }
            comm.barrier();
            if (comm.rank() == 0)
            {
                Thread.sleep(comm.size() > 1 ? WAIT_MS : 0);
                lock.unlock();
            }
            else
            {
                interruptedWait(comm, "lock()", lock::lock);
                Expect.isTrue(lock.isHeldByThisRank(), "lock() returns holding the lock");
                lock.unlock();
            }
            comm.barrier();
            final long[] data = new long[comm.size()];
            java.util.Arrays.fill(data, 42);
            if (comm.rank() == 0)
            {
                Thread.sleep(comm.size() > 1 ? WAIT_MS : 0);
                array.set(data, 0);
            }
            else
            {
                interruptedWait(comm, "set()", () -> array.set(null, 0));
            }
            for (int i = 0; i < comm.size(); i++)
            {
                Expect.equal(42L, array.getFlat(i), "element " + i + " after set()");
            }
            // A barrier waited for by interrupted ranks: parked too, and the flag kept.
            if (comm.rank() == 0)
            {
                Thread.sleep(comm.size() > 1 ? WAIT_MS : 0);
                comm.barrier();
            }
            else
            {
                interruptedWait(comm, "barrier()", comm::barrier);
            }
            // The job goes on: an interrupt set before a collective does not break the transport.
            Thread.currentThread().interrupt();
            comm.barrier();
            final long sum = comm.allReduce(1L, ReduceOp.SUM);
            Expect.isTrue(Thread.interrupted(), "the flag survives a barrier and an allReduce");
            Expect.equal((long)comm.size(), sum, "allReduce after interrupted waits");
            // Creating an array maps files; an interrupt set before must not close their channels.
            Thread.currentThread().interrupt();
            try (SharedLongArray created = SharedArray.ofLongs(comm, 3))
            {
                Expect.isTrue(Thread.interrupted(), "the flag survives creating an array");
                created.set(new long[] {1, 2, 3}, 0);
                Expect.equal(3L, created.getFlat(2), "the array created by an interrupted rank works");
            }
        }
    }

    /**
     * Runs a wait that cannot be interrupted, interrupting it 100 ms in: it must return with the flag still set,
     * having used at most {@link #MAX_WAIT_CPU_NANOS} of thread CPU.
     */
    private static void interruptedWait(final Communicator comm, final String what, final Expect.Action wait)
        throws Exception
    {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final long cpu;
        try (Interrupter interrupter = Interrupter.after(100))
        {
            final long before = threads.getCurrentThreadCpuTime();
            try
            {
                wait.run();
            }
            catch (final Throwable ex)
            {
                throw new AssertionError(what + " on rank " + comm.rank() + " failed after an interrupt: " + ex, ex);
            }
            cpu = threads.getCurrentThreadCpuTime() - before;
            interrupter.awaitDone();
        }
        Expect.isTrue(Thread.interrupted(), what + " returns with the interrupt flag still set");
        Expect.isTrue(cpu <= MAX_WAIT_CPU_NANOS, "rank " + comm.rank() + " used " + cpu / 1_000_000 +
            " ms of thread CPU in an interrupted " + what + " wait of a second or more (spinning?)");
    }

    /** File I/O of a tracked batch and a Sequential turn, on ranks whose interrupt flag is set. */
    static void interruptedBatchAndTurn(final Communicator comm) throws Exception
    {
        final Path folder = CoordinationScenarios.sharedFolder(comm);
        final java.util.List<String> names = new java.util.ArrayList<>();
        for (int t = 0; t < comm.size(); t++)
        {
            names.add("task-" + t);
        }
        try (TaskBatch batch = TaskBatch.builder(comm, comm.size()).trackIn(folder, names).build())
        {
            Thread.currentThread().interrupt();
            final java.util.OptionalInt task = batch.nextTask();
            Expect.isTrue(task.isPresent(), "a task for every rank");
            batch.setState(task.getAsInt(), TaskBatch.State.DONE);
            Expect.isTrue(Thread.interrupted(), "the flag survives nextTask() and setState()");
            Expect.equal("DONE\n", Files.readString(folder.resolve(names.get(task.getAsInt())).resolve("state")),
                "state file written by an interrupted rank");
        }
        Thread.currentThread().interrupt();
        try (Sequential turn = Sequential.begin(comm))
        {
            Expect.isTrue(Thread.interrupted(), "the turn begins with the flag still set");
        }
        CoordinationScenarios.removeFolder(comm, folder);
    }

    /** Every rank but 0 waits on the condition; rank 0 signals all once they all wait. */
    static void conditionSignalAll(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.createReentrant(comm);
            DistributedCondition ready = lock.newCondition();
            SharedCounter waiting = SharedCounter.create(comm))
        {
            if (comm.rank() != 0)
            {
                lock.lock();
                lock.lock(); // two holds: await gives both back and takes both again
                try
                {
                    waiting.getAndIncrement();
                    ready.await();
                    Expect.equal(2, lock.getHoldCount(), "holds after await()");
                }
                finally
                {
                    lock.unlock();
                    lock.unlock();
                }
            }
            else
            {
                while (true)
                {
                    lock.lock();
                    try
                    {
                        if (waiting.get() == comm.size() - 1)
                        {
                            ready.signalAll();
                            break;
                        }
                    }
                    finally
                    {
                        lock.unlock();
                    }
                    Thread.sleep(5);
                }
            }
            comm.barrier();
        }
    }

    /** Ranks 1.. wait one after another; rank 0 signals one at a time: they wake in the order they waited. */
    static void conditionSignalOrder(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm);
            DistributedCondition turn = lock.newCondition();
            SharedCounter waiting = SharedCounter.create(comm);
            SharedCounter woken = SharedCounter.create(comm))
        {
            final int r = comm.rank();
            if (r > 0)
            {
                while (waiting.get() < r - 1)
                {
                    Thread.sleep(2); // rank r - 1 registered first (under the lock, so it waits first)
                }
                lock.lock();
                try
                {
                    waiting.getAndIncrement();
                    turn.awaitUninterruptibly();
                    Expect.equal((long)r - 1, woken.getAndIncrement(), "rank " + r + " woke in waiting order");
                }
                finally
                {
                    lock.unlock();
                }
            }
            else
            {
                while (waiting.get() < comm.size() - 1)
                {
                    Thread.sleep(2);
                }
                for (int signalled = 1; signalled < comm.size(); signalled++)
                {
                    lock.lock();
                    try
                    {
                        turn.signal();
                    }
                    finally
                    {
                        lock.unlock();
                    }
                    while (woken.get() < signalled)
                    {
                        Thread.sleep(2);
                    }
                }
            }
            comm.barrier();
            Expect.equal((long)comm.size() - 1, woken.get(), "every waiter woke once");
        }
    }

    static void conditionMisuse(final Communicator comm) throws Exception
    {
        try (DistributedLock lock = DistributedLock.create(comm);
            DistributedCondition condition = lock.newCondition())
        {
            Expect.throwsOf(IllegalMonitorStateException.class, condition::await, "does not hold the lock");
            Expect.throwsOf(IllegalMonitorStateException.class, condition::signal, "does not hold the lock");
            Expect.throwsOf(IllegalMonitorStateException.class, condition::signalAll, "does not hold the lock");
            lock.lock();
            try
            {
                Expect.isTrue(!condition.await(20, TimeUnit.MILLISECONDS), "await times out with no signal");
                Expect.isTrue(lock.isHeldByThisRank(), "held again after a timed-out await");
                Thread.currentThread().interrupt();
                Expect.throwsOf(InterruptedException.class, condition::await, "interrupted");
                Expect.isTrue(lock.isHeldByThisRank(), "held after an interrupted await");
                try (Interrupter interrupter = Interrupter.inInterruptibleWait(100))
                {
                    Expect.throwsOf(InterruptedException.class, condition::await, "interrupted before a signal");
                }
                Expect.isTrue(lock.isHeldByThisRank(), "held again after an await interrupted while waiting");
            }
            finally
            {
                lock.unlock();
            }
            comm.barrier();
            if (comm.rank() == 0)
            {
                lock.lock();
                condition.signal(); // nobody waits: nothing happens
                condition.signalAll();
                lock.unlock();
            }
            comm.barrier();
        }
        final DistributedLock lock = DistributedLock.create(comm);
        final DistributedCondition condition = lock.newCondition();
        lock.close(); // closes its condition too
        Expect.throwsOf(IllegalStateException.class, condition::signal, "the condition is closed");
        Expect.throwsOf(IllegalStateException.class, lock::newCondition, "the lock is closed");
    }

    /** Never more ranks inside than permits, counted with a shared counter. */
    static void semaphoreBounds(final Communicator comm) throws Exception
    {
        final int permits = Math.max(1, comm.size() / 2);
        try (DistributedSemaphore semaphore = DistributedSemaphore.create(comm, permits);
            SharedCounter inside = SharedCounter.create(comm))
        {
            for (int i = 0; i < 20; i++)
            {
                if (i % 2 == 0)
                {
                    semaphore.acquire();
                }
                else
                {
                    Expect.isTrue(semaphore.tryAcquire(60, TimeUnit.SECONDS), "tryAcquire in time");
                }
                final long now = inside.getAndAdd(1) + 1;
                Expect.isTrue(now <= permits, now + " ranks inside a semaphore of " + permits + " permits");
                Thread.yield();
                inside.getAndAdd(-1);
                semaphore.release();
            }
            comm.barrier();
            Expect.equal(permits, semaphore.availablePermits(), "every permit back at the end");
            comm.barrier();
        }
    }

    static void semaphoreMisuse(final Communicator comm) throws Exception
    {
        Expect.throwsOf(IllegalArgumentException.class, () -> DistributedSemaphore.create(comm, -1),
            "permits -1 is negative");
        if (comm.size() > 1)
        {
            Expect.throwsOf(IllegalArgumentException.class, () -> DistributedSemaphore.create(comm, comm.rank()),
                "ranks disagree on the permits");
        }
        try (DistributedSemaphore none = DistributedSemaphore.create(comm, 0);
            DistributedSemaphore bounded = DistributedSemaphore.createBounded(comm, 1))
        {
            Expect.isTrue(!none.tryAcquire(), "tryAcquire() with no permit");
            Expect.isTrue(!none.tryAcquire(10, TimeUnit.MILLISECONDS), "tryAcquire(timeout) with no permit");
            Thread.currentThread().interrupt();
            Expect.throwsOf(InterruptedException.class, none::acquire, "interrupted");
            try (Interrupter interrupter = Interrupter.inInterruptibleWait(100))
            {
                Expect.throwsOf(InterruptedException.class, none::acquire, "request is withdrawn");
            }
            Expect.throwsOf(IllegalArgumentException.class, () -> none.release(0), "less than one");
            comm.barrier();
            Expect.equal(0, none.availablePermits(), "no permit appeared from withdrawn requests");
            comm.barrier();
            if (comm.rank() == 0)
            {
                Expect.throwsOf(IllegalStateException.class, bounded::release, "bounded semaphore",
                    "more than its 1 initial permits");
                bounded.acquire();
                bounded.release();
                Expect.isTrue(bounded.isBounded(), "createBounded() makes a bounded semaphore");
            }
            comm.barrier();
            // A permit released by a rank that never acquired is fine for a counting semaphore.
            if (comm.rank() == comm.size() - 1)
            {
                none.release(2);
            }
            comm.barrier();
            Expect.equal(2, none.availablePermits(), "permits after release(2)");
            comm.barrier();
        }
    }

    /**
     * Interrupts the creating thread after a delay, once it waits in pshmem's own code, and sends at most one
     * interrupt; closing it cancels one not yet sent and waits for its thread. An interrupt that lands while MPJ
     * Express writes a message on the target's thread closes the connection (a known limit, in the README), and
     * between seeing the target wait and interrupting it the target may move on: so {@link
     * #inInterruptibleWait(long)} waits for a wait that an interrupt ends before the target writes anything, and
     * {@link #after(long)} is for long uninterruptible waits only.
     */
    static final class Interrupter implements AutoCloseable
    {
        private static final int PENDING = 0;
        private static final int SENT = 1;
        private static final int CANCELLED = 2;

        private final AtomicInteger state = new AtomicInteger(PENDING);
        private final Thread thread;

        private Interrupter(final Thread target, final long delayMs, final Predicate<StackTraceElement[]> ready)
        {
            thread = new Thread(() ->
            {
                try
                {
                    Thread.sleep(delayMs);
                    final long giveUp = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!ready.test(target.getStackTrace()) && System.nanoTime() - giveUp < 0)
                    {
                        Thread.sleep(1);
                    }
                    if (state.compareAndSet(PENDING, SENT))
                    {
                        target.interrupt();
                    }
                }
                catch (final InterruptedException ex)
                {
                    // cancelled
                }
            }, "scenario-interrupter");
            thread.setDaemon(true);
            thread.start();
        }

        /**
         * True when the stack is in a native wait (park, yield, monitor wait) whose first caller outside the JDK
         * is pshmem's library code.
         */
        static boolean waitsInPshmem(final StackTraceElement[] stack)
        {
            if (stack.length == 0 || !stack[0].isNativeMethod())
            {
                return false;
            }
            for (final StackTraceElement frame : stack)
            {
                final String type = frame.getClassName();
                if (!type.startsWith("java.") && !type.startsWith("jdk.") && !type.startsWith("sun."))
                {
                    return type.startsWith("org.pshmem.") && !type.startsWith("org.pshmem.tests.");
                }
            }
            return false;
        }

        /**
         * True when the stack waits in pshmem's interruptible wait for a grant: parked in
         * {@code Backoff.idleInterruptibly}, or the owner's thread in its monitor wait for a grant (its messages
         * leave from its service thread). Such a wait ends only by a grant or by the interrupt, and an interrupt
         * is taken off the flag before the waiter sends anything.
         */
        static boolean waitsInterruptiblyForAGrant(final StackTraceElement[] stack)
        {
            if (!waitsInPshmem(stack))
            {
                return false;
            }
            for (final StackTraceElement frame : stack)
            {
                if (frame.getClassName().equals("org.pshmem.api.Backoff") &&
                    frame.getMethodName().equals("idleInterruptibly") ||
                    frame.getClassName().equals("org.pshmem.api.OwnedState$Serviced") &&
                    frame.getMethodName().equals("awaitGrant"))
                {
                    return true;
                }
            }
            return false;
        }

        /** An interrupter for a long uninterruptible wait (seconds, against the delay). */
        static Interrupter after(final long delayMs)
        {
            return new Interrupter(Thread.currentThread(), delayMs, Interrupter::waitsInPshmem);
        }

        /** An interrupter for an interruptible wait that nothing but the interrupt will end. */
        static Interrupter inInterruptibleWait(final long delayMs)
        {
            return new Interrupter(Thread.currentThread(), delayMs, Interrupter::waitsInterruptiblyForAGrant);
        }

        /**
         * Waits until the interrupt has been sent; for a wait that has just ended and that the interrupt must have
         * reached.
         *
         * @throws AssertionError when the interrupt was not sent yet (the wait ended too soon); it is cancelled.
         */
        void awaitDone()
        {
            if (state.compareAndSet(PENDING, CANCELLED))
            {
                thread.interrupt();
                joinKeepingFlag();
                throw new AssertionError("the wait ended before the interrupt was sent");
            }
            joinKeepingFlag();
        }

        @Override
        public void close()
        {
            if (state.compareAndSet(PENDING, CANCELLED))
            {
                thread.interrupt();
            }
            joinKeepingFlag();
        }

        /** Joins the interrupter's thread; an interrupt that arrives meanwhile stays on the flag. */
        private void joinKeepingFlag()
        {
            boolean interrupted = Thread.interrupted();
            while (true)
            {
                try
                {
                    thread.join();
                    break;
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
