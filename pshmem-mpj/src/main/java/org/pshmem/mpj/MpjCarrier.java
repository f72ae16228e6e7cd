package org.pshmem.mpj;

import java.util.concurrent.locks.LockSupport;

import mpi.MPIException;

/**
 * Runs an MPJ Express call that may write to a socket on a thread that no user code can interrupt. niodev writes
 * on blocking socket channels, and Java closes such a channel for good when the writing thread is interrupted
 * ({@code ClosedByInterruptException}): the rank could then neither send to that peer nor hear from it, and a
 * user's {@code Thread.interrupt()} of a rank waiting in pshmem would end the job.
 *
 * <p>Each calling thread gets a carrier of its own, so calls keep their order and their concurrency (a blocking
 * receive on one thread never holds up another thread's calls). A carrier is a daemon thread, named after its
 * caller, that ends once its caller has ended. Both wait as every pshmem wait does: spinning briefly, yielding,
 * then parked. An interrupt that comes meanwhile ends neither the call nor the wait, and is set again on the
 * caller when the call returns. Only under niodev ({@link #useFor(String)}); other devices run calls on the
 * caller's thread. Polls stay on the caller's thread ({@link #poll(Call)}).
 */
final class MpjCarrier
{
    /** A call of MPJ Express's. */
    @FunctionalInterface
    interface Call<T>
    {
        T run() throws MPIException;
    }

    /** A call of MPJ Express's that returns nothing. */
    @FunctionalInterface
    interface Action
    {
        void run() throws MPIException;
    }

    private static final int CALLER_SPINS = 200;
    private static final int CARRIER_SPINS = 200;
    /** Then turns given up to other threads before parking: a call's answer, or the next call, often comes soon. */
    private static final int YIELDS = 20;
    private static final long IDLE_PARK_NANOS = 1_000_000_000L;
    /** Polls an interrupt may end, one after the other, before the failure is taken as one. */
    private static final int POLL_RETRIES = 10_000;
    private static final ThreadLocal<MpjCarrier> OWN =
        ThreadLocal.withInitial(() -> new MpjCarrier(Thread.currentThread()));
    private static volatile boolean used;

    private final Thread caller;
    private final Thread thread;
    private volatile Call<?> task;
    private volatile boolean done;
    private Object result; // written before done, read after it
    private Throwable failure;

    private MpjCarrier(final Thread caller)
    {
        this.caller = caller;
        thread = new CarrierThread(this::serve, "pshmem-mpj-carrier-for-" + caller.getName());
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Carries calls from now on when this rank's device is niodev, whose socket channels an interrupt closes.
     *
     * @param device the MPJ device of this rank ({@code niodev}, {@code multicore}...).
     */
    static void useFor(final String device)
    {
        used = HostRanks.DEVICE.equals(device);
    }

    /**
     * Runs {@code call} on the calling thread's carrier (on the calling thread itself under other devices, and
     * when called from a carrier).
     *
     * @return what the call returned.
     * @throws MPIException what the call threw.
     */
    static <T> T call(final Call<T> call) throws MPIException
    {
        if (!used || Thread.currentThread() instanceof CarrierThread)
        {
            return call.run();
        }
        return OWN.get().carry(call);
    }

    /**
     * As {@link #call(Call)}, for a call that returns nothing.
     *
     * @throws MPIException what the call threw.
     */
    static void run(final Action action) throws MPIException
    {
        call(() ->
        {
            action.run();
            return null;
        });
    }

    /**
     * Runs a poll ({@code Iprobe}, {@code Test}) on the calling thread: polls come many to a wait, too many to
     * hand over one by one, and they do not write. niodev's may throw when the thread is interrupted inside them
     * (an {@code InterruptedException} from a wait for its own locks); then the poll is made again, with the
     * interrupt kept for the caller.
     *
     * @return what the poll returned.
     * @throws MPIException what the poll threw for another reason (MPJ's exception is unchecked).
     */
    static <T> T poll(final Call<T> poll) throws MPIException
    {
        boolean interrupted = false;
        try
        {
            for (int retry = 0; ; retry++)
            {
                try
                {
                    return poll.run();
                }
                catch (final RuntimeException ex)
                {
                    if (!causedByInterrupt(ex) || retry >= POLL_RETRIES)
                    {
                        throw ex;
                    }
                    interrupted = true; // the exception may have taken the flag down already
                    Thread.interrupted();
                }
            }
        }
        finally
        {
            if (interrupted || Thread.interrupted())
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static boolean causedByInterrupt(final Throwable failure)
    {
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            if (cause instanceof InterruptedException)
            {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private <T> T carry(final Call<T> call) throws MPIException
    {
        done = false;
        result = null;
        failure = null;
        task = call;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        for (int spin = 0; !done && spin < CALLER_SPINS; spin++)
        {
            Thread.onSpinWait();
        }
        for (int turn = 0; !done && turn < YIELDS; turn++)
        {
            Thread.yield();
        }
        while (!done)
        {
            LockSupport.park(this);
            interrupted |= Thread.interrupted(); // else park would return at once: no spinning while interrupted
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
        final Throwable thrown = failure;
        if (null == thrown)
        {
            return (T)result;
        }
        if (thrown instanceof MPIException mpiException)
        {
            throw mpiException;
        }
        if (thrown instanceof RuntimeException runtimeException)
        {
            throw runtimeException;
        }
        if (thrown instanceof Error error)
        {
            throw error;
        }
        throw new IllegalStateException("MPJ Express call failed on its carrier: " + thrown, thrown);
    }

    private void serve()
    {
        while (true)
        {
            Call<?> next = task;
            for (int spin = 0; null == next && spin < CARRIER_SPINS; spin++)
            {
                Thread.onSpinWait();
                next = task;
            }
            for (int turn = 0; null == next && turn < YIELDS; turn++)
            {
                Thread.yield();
                next = task;
            }
            if (null == next)
            {
                if (!caller.isAlive())
                {
                    return;
                }
                LockSupport.parkNanos(this, IDLE_PARK_NANOS);
                Thread.interrupted(); // no one should, but an interrupt must not make this loop spin
                continue;
            }
            task = null;
            try
            {
                result = next.run();
            }
            catch (final Throwable ex)
            {
                failure = ex;
            }
            done = true;
            LockSupport.unpark(caller);
        }
    }

    /** A carrier's thread: calls made on it (a call inside a call) run there at once. */
    private static final class CarrierThread extends Thread
    {
        CarrierThread(final Runnable serve, final String name)
        {
            super(serve, name);
        }
    }
}
