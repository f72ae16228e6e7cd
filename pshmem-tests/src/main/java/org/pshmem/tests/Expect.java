package org.pshmem.tests;

import java.util.Objects;

/**
 * Assertions for scenarios that run as ranks, inside or outside JUnit: a failed expectation throws
 * {@link AssertionError}, which fails the rank and with it the job.
 */
public final class Expect
{
    /** Code expected to throw. */
    @FunctionalInterface
    public interface Action
    {
        /**
         * @throws Exception anything.
         */
        void run() throws Exception;
    }

    private Expect()
    {
    }

    /**
     * @param condition must hold.
     * @param what      what it means, for the failure message.
     */
    public static void isTrue(final boolean condition, final String what)
    {
        if (!condition)
        {
            throw new AssertionError("expected: " + what);
        }
    }

    /**
     * @param expected expected value.
     * @param actual   actual value.
     * @param what     what it is, for the failure message.
     */
    public static void equal(final Object expected, final Object actual, final String what)
    {
        if (!Objects.equals(expected, actual))
        {
            throw new AssertionError(what + ": expected <" + expected + "> but was <" + actual + ">");
        }
    }

    /**
     * Runs {@code action} and checks that it throws {@code type} with every fragment in its message.
     *
     * @param type      the exception class expected (subclasses count).
     * @param action    the code.
     * @param fragments texts the message must contain.
     * @param <T>       exception type.
     * @return the exception.
     */
    public static <T extends Throwable> T throwsOf(final Class<T> type, final Action action, final String... fragments)
    {
        try
        {
            action.run();
        }
        catch (final Throwable ex)
        {
            if (!type.isInstance(ex))
            {
                throw new AssertionError("expected " + type.getSimpleName() + " but got " + ex, ex);
            }
            final String message = String.valueOf(ex.getMessage());
            for (final String fragment : fragments)
            {
                if (!message.contains(fragment))
                {
                    throw new AssertionError("message of " + type.getSimpleName() + " lacks '" + fragment + "': " +
                        message, ex);
                }
            }
            return type.cast(ex);
        }
        throw new AssertionError("expected " + type.getSimpleName() + " but nothing was thrown");
    }
}
