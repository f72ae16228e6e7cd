package org.pshmem.api;

import java.util.function.IntConsumer;

/**
 * A helper thread of one {@code set()} that copies chunks into node memory, in the order submitted, while the
 * rank's own thread receives and forwards the next ones. Waits here cannot be interrupted (as {@code set()}
 * itself): an interrupted rank keeps waiting and returns with its interrupt flag set. {@link #close()} waits for
 * the copies submitted so far and ends the thread; a copy that failed is thrown by the next wait or by close.
 */
final class ChunkCopier implements AutoCloseable
{
    private final IntConsumer copy;
    private final Thread thread;
    private int submitted;
    private int copied;
    private boolean closing;
    private RuntimeException failure;

    /**
     * @param copy copies the chunk of the given submission number (0, 1, ...) into node memory.
     */
    ChunkCopier(final IntConsumer copy)
    {
        this.copy = copy;
        this.thread = new Thread(this::run, "pshmem-set-copy");
        thread.setDaemon(true);
        thread.start();
    }

    /** Asks for the next copy, number {@code submitted}. */
    synchronized void submit()
    {
        submitted++;
        notifyAll();
    }

    /**
     * Returns once copy {@code number} (and every earlier one) is done; at once for a negative number.
     *
     * @param number a submission number.
     */
    synchronized void awaitCopied(final int number)
    {
        boolean interrupted = false;
        while (copied <= number && null == failure)
        {
            try
            {
                wait();
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
        if (null != failure)
        {
            throw failure;
        }
    }

    @Override
    public void close()
    {
        synchronized (this)
        {
            closing = true;
            notifyAll();
        }
        boolean interrupted = false;
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
        synchronized (this)
        {
            if (null != failure)
            {
                throw failure;
            }
        }
    }

    private void run()
    {
        while (true)
        {
            final int next;
            synchronized (this)
            {
                while (copied == submitted && !closing)
                {
                    try
                    {
                        wait();
                    }
                    catch (final InterruptedException ex)
                    {
                        // Nobody interrupts this thread; keep serving until closed.
                    }
                }
                if (copied == submitted)
                {
                    return;
                }
                next = copied;
            }
            try
            {
                copy.accept(next);
            }
            catch (final RuntimeException | Error ex)
            {
                synchronized (this)
                {
                    failure = ex instanceof RuntimeException runtime ? runtime :
                        new PshmemException("set() failed while copying into node memory: " + ex, ex);
                    notifyAll();
                }
                return;
            }
            synchronized (this)
            {
                copied++;
                notifyAll();
            }
        }
    }
}
