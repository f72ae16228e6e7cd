package org.pshmem.api;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.pshmem.spi.CommEndpoint;

/**
 * A few longs owned by one rank, on which every rank of a communicator runs operations with exclusive access:
 * the building block of {@link DistributedLock}, {@link SharedCounter} and {@link TaskBatch}. MPJ Express has
 * no one-sided operations, so exclusive access comes in two tiers:
 * <ul>
 * <li>every rank on one node: the longs live in node memory, guarded by a spin mutex (compare-and-set) that
 * waits by spinning, yielding, then parking; no message at all;</li>
 * <li>otherwise: the owner rank runs a service thread, named {@code pshmem-owner-...}, with two private
 * duplicates of the communicator; other ranks send it requests and get replies, and it alone touches the
 * longs, one operation at a time. The owner's own operations go to the same thread through a queue, so all
 * its messages leave from one thread.</li>
 * </ul>
 * One slot may be watched ({@link #NO_WATCH} for none): when an operation sets it to {@code r + 1}, rank
 * {@code r} is told, which is how a lock is handed over.
 */
abstract class OwnedState implements AutoCloseable
{
    /** What the operations do; run with exclusive access to the slots. */
    interface Operations
    {
        /**
         * @return the result returned to the caller.
         */
        long apply(int op, Slots slots, long a, long b, int caller);
    }

    /** The slots an operation sees. */
    interface Slots
    {
        long get(int index);

        void set(int index, long value);
    }

    static final int FIRST_SLOT = 1; // slot 0 is the node mutex
    static final int NO_WATCH = -1;

    final Communicator comm;
    final int owner;
    final int watchSlot;

    OwnedState(final Communicator comm, final int owner, final int watchSlot)
    {
        this.comm = comm;
        this.owner = owner;
        this.watchSlot = watchSlot;
    }

    /**
     * Collective over {@code comm}.
     *
     * @param slots number of slots, counting from {@link #FIRST_SLOT}.
     * @param name  short name for the service thread.
     */
    static OwnedState create(final Communicator comm, final int owner, final int slots, final int watchSlot,
        final Operations operations, final String name)
    {
        final SharedLongArray memory = SharedArray.ofLongs(comm, FIRST_SLOT + slots);
        if (memory.nodeCount() == 1)
        {
            return new InNodeMemory(comm, owner, watchSlot, memory, operations);
        }
        memory.close();
        return new Serviced(comm, owner, slots, watchSlot, operations, name);
    }

    /**
     * Runs an operation with exclusive access and returns its result.
     */
    abstract long execute(int op, long a, long b);

    /**
     * Waits until the watched slot holds {@code rank + 1}.
     *
     * @param deadlineNanos {@link System#nanoTime()} at which to give up, or 0 for never.
     * @return true when it does, false at the deadline.
     */
    abstract boolean awaitWatched(int rank, long deadlineNanos);

    /**
     * Collective; local parts released.
     */
    @Override
    public abstract void close();

    static boolean pastDeadline(final long deadlineNanos)
    {
        return deadlineNanos != 0 && System.nanoTime() - deadlineNanos > 0;
    }

    /** Every rank on one node: slots in node memory behind a compare-and-set mutex. */
    private static final class InNodeMemory extends OwnedState implements Slots
    {
        private static final VarHandle LONGS =
            MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());

        private final SharedLongArray memory;
        private final ByteBuffer slots;
        private final Operations operations;
        private final CommEndpoint ep;

        InNodeMemory(final Communicator comm, final int owner, final int watchSlot, final SharedLongArray memory,
            final Operations operations)
        {
            super(comm, owner, watchSlot);
            this.memory = memory;
            this.slots = memory.rawWindow();
            this.operations = operations;
            this.ep = comm.endpoint();
        }

        @Override
        public long get(final int index)
        {
            return (long)LONGS.getVolatile(slots, 8 * (FIRST_SLOT + index));
        }

        @Override
        public void set(final int index, final long value)
        {
            LONGS.setVolatile(slots, 8 * (FIRST_SLOT + index), value);
        }

        @Override
        long execute(final int op, final long a, final long b)
        {
            final long me = ep.rank() + 1L;
            final Backoff backoff = new Backoff();
            while (!LONGS.compareAndSet(slots, 0, 0L, me))
            {
                idle(backoff, "mutex", () -> (long)LONGS.getVolatile(slots, 0) == 0L);
            }
            try
            {
                return operations.apply(op, this, a, b, ep.rank());
            }
            finally
            {
                LONGS.setVolatile(slots, 0, 0L);
            }
        }

        @Override
        boolean awaitWatched(final int rank, final long deadlineNanos)
        {
            final Backoff backoff = new Backoff();
            while (get(watchSlot) != rank + 1L)
            {
                if (pastDeadline(deadlineNanos))
                {
                    return false;
                }
                idle(backoff, "wait", () -> get(watchSlot) == rank + 1L);
            }
            return true;
        }

        /** Waits a little; throws when a member failed, unless what was awaited has happened meanwhile. */
        private void idle(final Backoff backoff, final String what, final java.util.function.BooleanSupplier done)
        {
            backoff.idle();
            if (backoff.parking())
            {
                final RankFailedException failure = ep.failedMember(what);
                if (null != failure && !done.getAsBoolean())
                {
                    throw failure;
                }
            }
        }

        @Override
        public void close()
        {
            comm.barrier();
            memory.close();
        }
    }

    /** Ranks on several nodes: the owner's service thread keeps the slots and answers messages. */
    private static final class Serviced extends OwnedState implements Slots, Runnable
    {
        private static final int TAG_REQUEST = 1;
        private static final int TAG_REPLY = 2;
        private static final int TAG_NOTICE = 3;
        private static final int TAG_ERROR_TEXT = 4;

        private final long[] values;
        private final Operations operations;
        private final CommEndpoint requests;
        private final CommEndpoint replies;
        private final ConcurrentLinkedQueue<OwnerRequest> ownerQueue = new ConcurrentLinkedQueue<>();
        private final Object monitor = new Object();
        private final Thread service;
        private volatile boolean stopping;
        private volatile Throwable serviceFailure;

        Serviced(final Communicator comm, final int owner, final int slots, final int watchSlot,
            final Operations operations, final String name)
        {
            super(comm, owner, watchSlot);
            this.values = new long[slots];
            this.operations = operations;
            this.requests = comm.endpoint().split(0, comm.rank());
            this.replies = comm.endpoint().split(0, comm.rank());
            if (comm.rank() == owner)
            {
                service = new Thread(this, "pshmem-owner-" + name + "-rank" + comm.worldRank());
                service.setDaemon(true);
                service.start();
            }
            else
            {
                service = null;
            }
        }

        @Override
        public long get(final int index)
        {
            return values[index];
        }

        @Override
        public void set(final int index, final long value)
        {
            values[index] = value;
        }

        @Override
        long execute(final int op, final long a, final long b)
        {
            if (comm.rank() == owner)
            {
                final OwnerRequest request = new OwnerRequest(op, a, b);
                ownerQueue.add(request);
                LockSupport.unpark(service);
                synchronized (monitor)
                {
                    while (!request.done)
                    {
                        checkService();
                        waitOn(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
                if (null != request.failure)
                {
                    throw new PshmemException("operation on rank " + owner + " failed: " + request.failure,
                        request.failure);
                }
                return request.result;
            }
            requests.send(new long[] {op, a, b, comm.rank()}, 0, 4, owner, TAG_REQUEST);
            final long[] reply = new long[2];
            awaitMessage(TAG_REPLY, 0);
            replies.receive(reply, 0, 2, owner, TAG_REPLY);
            if (reply[0] != 0)
            {
                final byte[] text = new byte[(int)reply[1]];
                replies.receive(text, 0, text.length, owner, TAG_ERROR_TEXT);
                throw new PshmemException("operation of rank " + comm.rank() + " failed on its owner, rank " + owner +
                    ": " + new String(text, java.nio.charset.StandardCharsets.UTF_8));
            }
            return reply[1];
        }

        /** An operation of the owner itself, handed to its service thread. */
        private static final class OwnerRequest
        {
            final long op;
            final long a;
            final long b;
            long result;
            Throwable failure;
            boolean done;

            OwnerRequest(final long op, final long a, final long b)
            {
                this.op = op;
                this.a = a;
                this.b = b;
            }
        }

        /**
         * Waits for a message from the owner, checking for failed members while parked.
         *
         * @return false at the deadline.
         */
        private boolean awaitMessage(final int tag, final long deadlineNanos)
        {
            final Backoff backoff = new Backoff();
            while (!replies.probe(owner, tag))
            {
                if (pastDeadline(deadlineNanos))
                {
                    return false;
                }
                backoff.idle();
                if (backoff.parking())
                {
                    final RankFailedException failure = replies.failedMember("waiting for rank " + owner);
                    if (null != failure && !replies.probe(owner, tag))
                    {
                        throw failure;
                    }
                }
            }
            return true;
        }

        @Override
        boolean awaitWatched(final int rank, final long deadlineNanos)
        {
            if (comm.rank() == owner)
            {
                synchronized (monitor)
                {
                    while (values[watchSlot] != rank + 1L)
                    {
                        checkService();
                        if (pastDeadline(deadlineNanos))
                        {
                            return false;
                        }
                        waitOn(deadlineNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(10) :
                            Math.min(TimeUnit.MILLISECONDS.toNanos(10), deadlineNanos - System.nanoTime()));
                    }
                    return true;
                }
            }
            if (!awaitMessage(TAG_NOTICE, deadlineNanos))
            {
                return false;
            }
            replies.receive(new long[1], 0, 1, owner, TAG_NOTICE);
            return true;
        }

        /** The service loop: the owner's queued operations, then other ranks' requests; parks when idle. */
        @Override
        public void run()
        {
            try
            {
                Backoff backoff = new Backoff();
                final long[] request = new long[4];
                while (!stopping)
                {
                    boolean worked = false;
                    OwnerRequest local;
                    while (null != (local = ownerQueue.poll()))
                    {
                        long result = 0;
                        Throwable failure = null;
                        try
                        {
                            result = apply(local.op, local.a, local.b, owner);
                        }
                        catch (final RuntimeException ex)
                        {
                            failure = ex;
                        }
                        synchronized (monitor)
                        {
                            local.result = result;
                            local.failure = failure;
                            local.done = true;
                            monitor.notifyAll();
                        }
                        worked = true;
                    }
                    if (requests.probe(CommEndpoint.ANY_SOURCE, TAG_REQUEST))
                    {
                        requests.receive(request, 0, 4, CommEndpoint.ANY_SOURCE, TAG_REQUEST);
                        final int caller = (int)request[3];
                        try
                        {
                            final long result = apply(request[0], request[1], request[2], caller);
                            replies.send(new long[] {0, result}, 0, 2, caller, TAG_REPLY);
                        }
                        catch (final RuntimeException ex)
                        {
                            // The operation failed, not the service: tell the caller and go on.
                            final byte[] text = String.valueOf(ex).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            replies.send(new long[] {1, text.length}, 0, 2, caller, TAG_REPLY);
                            replies.send(text, 0, text.length, caller, TAG_ERROR_TEXT);
                        }
                        worked = true;
                    }
                    if (worked)
                    {
                        backoff = new Backoff();
                    }
                    else
                    {
                        backoff.idle();
                    }
                }
            }
            catch (final Throwable ex)
            {
                serviceFailure = ex;
                synchronized (monitor)
                {
                    monitor.notifyAll();
                }
            }
        }

        /** Runs one operation; tells the rank the watched slot now names, unless it is the caller. */
        private long apply(final long op, final long a, final long b, final int caller)
        {
            final long result;
            final long watched;
            synchronized (monitor)
            {
                final long before = watchSlot == NO_WATCH ? 0 : values[watchSlot];
                result = operations.apply((int)op, this, a, b, caller);
                watched = watchSlot == NO_WATCH || values[watchSlot] == before ? 0 : values[watchSlot];
                monitor.notifyAll();
            }
            final int told = (int)watched - 1;
            if (watched > 0 && told != caller && told != owner && told < comm.size())
            {
                replies.send(new long[] {watched}, 0, 1, told, TAG_NOTICE);
            }
            return result;
        }

        private void checkService()
        {
            if (null != serviceFailure)
            {
                throw new PshmemException("the service thread of rank " + owner + " failed: " + serviceFailure,
                    serviceFailure);
            }
        }

        private void waitOn(final long nanos)
        {
            try
            {
                TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, nanos));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new PshmemException("interrupted while waiting on rank " + owner, ex);
            }
        }

        @Override
        public void close()
        {
            comm.barrier();
            if (null != service)
            {
                stopping = true;
                LockSupport.unpark(service);
                try
                {
                    service.join();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
            requests.close();
            replies.close();
        }
    }
}
