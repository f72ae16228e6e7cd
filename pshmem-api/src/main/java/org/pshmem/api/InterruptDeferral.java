package org.pshmem.api;

import java.util.function.Supplier;

/**
 * Runs work that must not see an interrupt (file and mapping I/O: an interrupted thread closes the
 * {@link java.nio.channels.FileChannel} it uses, and the operation fails) with the flag taken down, and puts
 * the flag back afterwards.
 */
final class InterruptDeferral
{
    private InterruptDeferral()
    {
    }

    /**
     * @param work the work.
     * @param <T>  its result type.
     * @return its result; the interrupt flag is set on return if it was set before.
     */
    static <T> T run(final Supplier<T> work)
    {
        final boolean interrupted = takeDown();
        try
        {
            return work.get();
        }
        finally
        {
            restore(interrupted);
        }
    }

    /**
     * @return whether the interrupt flag was set; it is clear now.
     */
    static boolean takeDown()
    {
        return Thread.interrupted();
    }

    /**
     * Sets the interrupt flag if it was set at {@link #takeDown()} or has been set since.
     *
     * @param wasInterrupted what {@link #takeDown()} returned.
     */
    static void restore(final boolean wasInterrupted)
    {
        if (wasInterrupted || Thread.interrupted())
        {
            Thread.currentThread().interrupt();
        }
    }
}
