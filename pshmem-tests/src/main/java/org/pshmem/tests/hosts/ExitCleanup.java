package org.pshmem.tests.hosts;

/**
 * A clean-up that runs once: when its owner closes it, or as the JVM exits (a test run killed with Ctrl-C, say),
 * whichever comes first.
 */
public final class ExitCleanup implements AutoCloseable
{
    private final Runnable cleanup;
    private final Thread hook;
    private boolean done;

    /**
     * Registers the clean-up to run as the JVM exits, unless closed first.
     *
     * @param name    the name of the shutdown hook's thread.
     * @param cleanup what to do; must never throw: it does what it can and says what failed.
     */
    public ExitCleanup(final String name, final Runnable cleanup)
    {
        this.cleanup = cleanup;
        hook = new Thread(this::runOnce, name);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Runs the clean-up, unless it ran, and takes back the shutdown hook; idempotent.
     */
    @Override
    public void close()
    {
        runOnce();
        try
        {
            Runtime.getRuntime().removeShutdownHook(hook);
        }
        catch (final IllegalStateException ignored)
        {
            // The JVM exits already: the hook has run the clean-up, or is running this.
        }
    }

    private synchronized void runOnce()
    {
        if (!done)
        {
            done = true;
            cleanup.run();
        }
    }
}
