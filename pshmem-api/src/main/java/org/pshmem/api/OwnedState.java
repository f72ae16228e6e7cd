package org.pshmem.api;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.pshmem.spi.CommEndpoint;

/**
 * A few longs owned by one rank, on which every rank of a communicator runs operations with exclusive access:
 * the building block of {@link DistributedLock}, {@link SharedCounter} and {@link TaskBatch}. MPJ Express has
 * no one-sided operations, so exclusive access comes in two tiers:
 * <ul>
 * <li>every rank on one node: the longs live in node memory ({@link OwnedStateLayout}, with the structure's
 * header), guarded by a spin mutex (compare-and-set) that waits by spinning, yielding, then parking; no message
 * at all;</li>
 * <li>otherwise: the owner rank runs a service thread, named {@code pshmem-owner-...}, with two private
 * duplicates of the communicator; other ranks send it requests and get replies, and it alone touches the
 * longs, one operation at a time. The owner's own operations go to the same thread through a queue, so all
 * its messages leave from one thread.</li>
 * </ul>
 * Ranks may wait to be granted something (a lock, a permit, a signal): with grant slots, slot
 * {@code grantBase + r} belongs to rank {@code r}; an operation that turns it from zero to non-zero grants
 * rank {@code r}, which is then told (in node memory it sees the slot; across nodes the service sends it a
 * notice). A rank's own operation clears its slot before it waits again.
 *
 * <p>Interrupts: {@link #execute} never throws {@link InterruptedException}; it parks through an interrupt and
 * returns with the flag set. {@link #awaitGrant} does the same; {@link #awaitGrantInterruptibly} throws, and
 * then the caller withdraws its request with an operation of its own ({@code CANCEL}), which tells it whether
 * the grant came meanwhile (then {@link #awaitGrant} takes the notice that is on its way).
 *
 * <p>Operations are an enum of the user's; across nodes a request travels as longs, the operation as its
 * ordinal, and is decoded on the owner.
 *
 * @param <O> the enum of the operations.
 */
abstract class OwnedState<O extends Enum<O>> implements AutoCloseable
{
    /**
     * What the operations do; run with exclusive access to the slots.
     *
     * @param <O> the enum of the operations.
     */
    interface Operations<O extends Enum<O>>
    {
        /**
         * @return the result returned to the caller.
         */
        long apply(O op, Slots slots, long a, long b, int caller);
    }

    /** The slots an operation sees. */
    interface Slots
    {
        long get(int index);

        void set(int index, long value);
    }

    /** {@code grantBase} of states on which no rank waits. */
    static final int NO_GRANTS = -1;

    final Communicator comm;
    final int owner;
    final int grantBase;

    OwnedState(final Communicator comm, final int owner, final int grantBase)
    {
        this.comm = comm;
        this.owner = owner;
        this.grantBase = grantBase;
    }

    /**
     * Collective over {@code comm}.
     *
     * @param slots     number of slots.
     * @param grantBase the grant slot of rank 0 (rank r's is {@code grantBase + r}), or {@link #NO_GRANTS}.
     * @param opType    the enum of the operations.
     * @param layout    the structure's header in node memory, checked by every rank when they share it.
     * @param name      short name for the service thread.
     * @throws PshmemException on every rank, when the ranks' node memory holds another structure or version.
     */
    static <O extends Enum<O>> OwnedState<O> create(final Communicator comm, final int owner, final int slots,
        final int grantBase, final Class<O> opType, final Operations<O> operations, final LayoutHeader layout,
        final String name)
    {
        final SharedLongArray memory = SharedArray.ofLongs(comm, OwnedStateLayout.longs(slots));
        if (memory.nodeCount() == 1)
        {
            try
            {
                attach(comm, owner, memory, layout, layout);
            }
            catch (final RuntimeException ex)
            {
                memory.close(); // every rank is here: the failure is agreed
                throw ex;
            }
            return new InNodeMemory<>(comm, owner, grantBase, memory, operations);
        }
        memory.close();
        return new Serviced<>(comm, owner, slots, grantBase, opType, operations, name);
    }

    /**
     * Collective over the ranks of one node: the owner stamps the header, then every rank checks it and the
     * outcome is agreed through node memory; only a problem costs messages, to name the rank that found it.
     *
     * @param stamped  the header the owner writes.
     * @param expected the header this rank reads; the same as {@code stamped} but in tests of other versions.
     * @throws PshmemException on every rank, when any rank found another header.
     */
    static void attach(final Communicator comm, final int owner, final SharedLongArray memory,
        final LayoutHeader stamped, final LayoutHeader expected)
    {
        final String op = "creating " + expected.what();
        final NodeBuffer buffer = new NodeBuffer(memory.rawWindow());
        final NodeSync sync = memory.sync();
        if (comm.rank() == owner)
        {
            stamped.stamp(buffer, 0);
        }
        sync.nodeBarrier(op);
        final String problem = expected.problem(buffer, 0);
        final Agreement.Status status = Agreement.Status.of(problem, Agreement.Status.FAILURE);
        if (sync.minMax(op, status.code()).max(0) != Agreement.Status.OK.code())
        {
            Agreement.raiseIfAny(comm.endpoint(), op, Agreement.exchange(comm.endpoint(), status), problem, null);
        }
    }

    /**
     * Runs an operation with exclusive access and returns its result; an interrupt is kept for after it.
     */
    abstract long execute(O op, long a, long b);

    /**
     * Waits until this rank's grant slot is non-zero; an interrupt is kept for after it.
     *
     * @param rank          this rank.
     * @param deadlineNanos {@link System#nanoTime()} at which to give up, or 0 for never.
     * @return true when granted, false at the deadline.
     */
    final boolean awaitGrant(final int rank, final long deadlineNanos)
    {
        try
        {
            return awaitGrant(rank, deadlineNanos, false);
        }
        catch (final InterruptedException ex)
        {
            throw new AssertionError("an uninterruptible wait was interrupted", ex);
        }
    }

    /**
     * As {@link #awaitGrant(int, long)}, but an interrupt ends the wait.
     *
     * @param rank          this rank.
     * @param deadlineNanos {@link System#nanoTime()} at which to give up, or 0 for never.
     * @return true when granted, false at the deadline.
     * @throws InterruptedException when the thread is interrupted first; the request is still pending.
     */
    final boolean awaitGrantInterruptibly(final int rank, final long deadlineNanos) throws InterruptedException
    {
        return awaitGrant(rank, deadlineNanos, true);
    }

    abstract boolean awaitGrant(int rank, long deadlineNanos, boolean interruptible) throws InterruptedException;

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
    private static final class InNodeMemory<O extends Enum<O>> extends OwnedState<O> implements Slots
    {
        private final SharedLongArray memory;
        private final NodeBuffer slots;
        private final Operations<O> operations;
        private final CommEndpoint ep;

        InNodeMemory(final Communicator comm, final int owner, final int grantBase, final SharedLongArray memory,
            final Operations<O> operations)
        {
            super(comm, owner, grantBase);
            this.memory = memory;
            this.slots = new NodeBuffer(memory.rawWindow());
            this.operations = operations;
            this.ep = comm.endpoint();
        }

        @Override
        public long get(final int index)
        {
            return slots.getLongVolatile(OwnedStateLayout.slot(index));
        }

        @Override
        public void set(final int index, final long value)
        {
            slots.putLongVolatile(OwnedStateLayout.slot(index), value);
        }

        @Override
        long execute(final O op, final long a, final long b)
        {
            final long me = ep.rank() + 1L;
            final Backoff backoff = new Backoff();
            try
            {
                while (!slots.compareAndSetLong(OwnedStateLayout.MUTEX, 0L, me))
                {
                    backoff.idle();
                    checkMembers(backoff, "mutex", () -> slots.getLongVolatile(OwnedStateLayout.MUTEX) == 0L);
                }
            }
            finally
            {
                backoff.restoreInterrupt();
            }
            try
            {
                return operations.apply(op, this, a, b, ep.rank());
            }
            finally
            {
                slots.putLongVolatile(OwnedStateLayout.MUTEX, 0L);
            }
        }

        @Override
        boolean awaitGrant(final int rank, final long deadlineNanos, final boolean interruptible)
            throws InterruptedException
        {
            final Backoff backoff = new Backoff();
            try
            {
                while (get(grantBase + rank) == 0)
                {
                    if (pastDeadline(deadlineNanos))
                    {
                        return false;
                    }
                    backoff.idle(interruptible);
                    checkMembers(backoff, "wait", () -> get(grantBase + rank) != 0);
                }
                return true;
            }
            finally
            {
                backoff.restoreInterrupt();
            }
        }

        /** Once parking: throws when a member failed, unless what was awaited has happened meanwhile. */
        private void checkMembers(final Backoff backoff, final String what, final java.util.function.BooleanSupplier done)
        {
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
            comm.objectBarrier();
            memory.close();
        }
    }

    /** Ranks on several nodes: the owner's service thread keeps the slots and answers messages. */
    private static final class Serviced<O extends Enum<O>> extends OwnedState<O> implements Slots, Runnable
    {
        private static final int TAG_REQUEST = 1;
        private static final int TAG_REPLY = 2;
        private static final int TAG_NOTICE = 3;
        private static final int TAG_ERROR_TEXT = 4;
        // A reply is {REPLY_RESULT, result} or {REPLY_FAILED, length of the failure's text}, the text following
        // under TAG_ERROR_TEXT.
        private static final long REPLY_RESULT = 0;
        private static final long REPLY_FAILED = 1;

        private final long[] values;
        private final O[] ops;
        private final Operations<O> operations;
        private final ConcurrentLinkedQueue<OwnerRequest<O>> ownerQueue = new ConcurrentLinkedQueue<>();
        private final CommEndpoint requests;
        private final CommEndpoint replies;
        private final Object monitor = new Object();
        private final Thread service;
        private volatile boolean stopping;
        private volatile Throwable serviceFailure;

        Serviced(final Communicator comm, final int owner, final int slots, final int grantBase,
            final Class<O> opType, final Operations<O> operations, final String name)
        {
            super(comm, owner, grantBase);
            this.values = new long[slots];
            this.ops = opType.getEnumConstants();
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
        long execute(final O op, final long a, final long b)
        {
            if (comm.rank() == owner)
            {
                final OwnerRequest<O> request = new OwnerRequest<>(op, a, b);
                ownerQueue.add(request);
                LockSupport.unpark(service);
                boolean interrupted = false;
                synchronized (monitor)
                {
                    while (!request.done)
                    {
                        checkService();
                        interrupted |= waitOn(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
                if (interrupted)
                {
                    Thread.currentThread().interrupt();
                }
                if (null != request.failure)
                {
                    throw new PshmemException("operation on rank " + owner + " failed: " + request.failure,
                        request.failure);
                }
                return request.result;
            }
            requests.send(new Request(op.ordinal(), a, b, comm.rank()).encode(), 0, Request.REQUEST_LONGS, owner,
                TAG_REQUEST);
            final long[] reply = new long[2];
            try
            {
                awaitMessage(TAG_REPLY, 0, false);
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError("an uninterruptible wait was interrupted", ex);
            }
            replies.receive(reply, 0, 2, owner, TAG_REPLY);
            if (reply[0] == REPLY_FAILED)
            {
                final byte[] text = new byte[(int)reply[1]];
                replies.receive(text, 0, text.length, owner, TAG_ERROR_TEXT);
                throw new PshmemException("operation of rank " + comm.rank() + " failed on its owner, rank " + owner +
                    ": " + new String(text, java.nio.charset.StandardCharsets.UTF_8));
            }
            return reply[1];
        }

        /** Another rank's operation as it travels to the owner: {@code REQUEST_LONGS} longs. */
        private record Request(int op, long a, long b, int caller)
        {
            static final int REQUEST_LONGS = 4;

            long[] encode()
            {
                return new long[] {op, a, b, caller};
            }

            static Request decode(final long[] message)
            {
                return new Request((int)message[0], message[1], message[2], (int)message[3]);
            }
        }

        /** An operation of the owner itself, handed to its service thread. */
        private static final class OwnerRequest<O>
        {
            final O op;
            final long a;
            final long b;
            long result;
            Throwable failure;
            boolean done;

            OwnerRequest(final O op, final long a, final long b)
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
        private boolean awaitMessage(final int tag, final long deadlineNanos, final boolean interruptible)
            throws InterruptedException
        {
            final Backoff backoff = new Backoff();
            try
            {
                while (!replies.probe(owner, tag))
                {
                    if (pastDeadline(deadlineNanos))
                    {
                        return false;
                    }
                    backoff.idle(interruptible);
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
            finally
            {
                backoff.restoreInterrupt();
            }
        }

        @Override
        boolean awaitGrant(final int rank, final long deadlineNanos, final boolean interruptible)
            throws InterruptedException
        {
            if (comm.rank() == owner)
            {
                boolean interrupted = false;
                try
                {
                    synchronized (monitor)
                    {
                        while (values[grantBase + rank] == 0)
                        {
                            checkService();
                            if (pastDeadline(deadlineNanos))
                            {
                                return false;
                            }
                            if (interruptible && Thread.interrupted())
                            {
                                throw new InterruptedException();
                            }
                            if (waitOn(deadlineNanos == 0 ? TimeUnit.MILLISECONDS.toNanos(10) :
                                Math.min(TimeUnit.MILLISECONDS.toNanos(10), deadlineNanos - System.nanoTime())))
                            {
                                if (interruptible)
                                {
                                    throw new InterruptedException();
                                }
                                interrupted = true;
                            }
                        }
                        return true;
                    }
                }
                finally
                {
                    if (interrupted)
                    {
                        Thread.currentThread().interrupt();
                    }
                }
            }
            if (!awaitMessage(TAG_NOTICE, deadlineNanos, interruptible))
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
                final Backoff backoff = new Backoff();
                final long[] message = new long[Request.REQUEST_LONGS];
                while (!stopping)
                {
                    boolean worked = false;
                    OwnerRequest<O> local;
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
                        requests.receive(message, 0, message.length, CommEndpoint.ANY_SOURCE, TAG_REQUEST);
                        final Request request = Request.decode(message);
                        final int caller = request.caller();
                        try
                        {
                            final long result = apply(ops[request.op()], request.a(), request.b(), caller);
                            replies.send(new long[] {REPLY_RESULT, result}, 0, 2, caller, TAG_REPLY);
                        }
                        catch (final RuntimeException ex)
                        {
                            // The operation failed, not the service: tell the caller and go on.
                            final byte[] text = String.valueOf(ex).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                            replies.send(new long[] {REPLY_FAILED, text.length}, 0, 2, caller, TAG_REPLY);
                            replies.send(text, 0, text.length, caller, TAG_ERROR_TEXT);
                        }
                        worked = true;
                    }
                    if (worked)
                    {
                        backoff.reset();
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

        /** Runs one operation; tells each rank it granted, but the caller (it has the result) and the owner
         *  (it watches the slots). */
        private long apply(final O op, final long a, final long b, final int caller)
        {
            final long result;
            final int ranks = comm.size();
            final boolean[] granted = grantBase == NO_GRANTS ? null : new boolean[ranks];
            synchronized (monitor)
            {
                if (null != granted)
                {
                    for (int r = 0; r < ranks; r++)
                    {
                        granted[r] = values[grantBase + r] == 0;
                    }
                }
                result = operations.apply(op, this, a, b, caller);
                if (null != granted)
                {
                    for (int r = 0; r < ranks; r++)
                    {
                        granted[r] &= values[grantBase + r] != 0;
                    }
                }
                monitor.notifyAll();
            }
            if (null != granted)
            {
                for (int r = 0; r < ranks; r++)
                {
                    if (granted[r] && r != caller && r != owner)
                    {
                        replies.send(new long[] {1}, 0, 1, r, TAG_NOTICE);
                    }
                }
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

        /** Waits on the monitor (held); returns true when interrupted, with the flag taken down. */
        private boolean waitOn(final long nanos)
        {
            try
            {
                TimeUnit.NANOSECONDS.timedWait(monitor, Math.max(1, nanos));
                return false;
            }
            catch (final InterruptedException ex)
            {
                return true;
            }
        }

        @Override
        public void close()
        {
            comm.objectBarrier();
            if (null != service)
            {
                stopping = true;
                LockSupport.unpark(service);
                boolean interrupted = false;
                while (service.isAlive())
                {
                    try
                    {
                        service.join();
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
            requests.close();
            replies.close();
        }
    }
}
