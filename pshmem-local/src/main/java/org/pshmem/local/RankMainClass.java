package org.pshmem.local;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * A program's main class run as the ranks of a {@link LocalJob}: each rank loads the class in a
 * {@link RankClassLoader} of its own and calls its {@code main}, so statics the program keeps (such as its world
 * communicator in a field of the main class) are per rank, as they are when each rank is a JVM.
 */
final class RankMainClass implements LocalJob.RankMain
{
    private final String className;
    private final ClassLoader parent;

    /**
     * @param className the program's main class.
     * @param parent    the loader that finds pshmem and the program's class path.
     */
    RankMainClass(final String className, final ClassLoader parent)
    {
        this.className = className;
        this.parent = parent;
    }

    @Override
    public void run(final String[] args) throws Exception
    {
        final LocalJobState.Rank rank = LocalJobState.current();
        if (null == rank)
        {
            throw new IllegalStateException(className + ".main must run on a rank thread of a LocalJob");
        }
        final RankClassLoader loader = new RankClassLoader(rank.rank, parent);
        final Thread thread = Thread.currentThread();
        final ClassLoader previous = thread.getContextClassLoader();
        // Frameworks that look classes up through the context loader then see this rank's copies too.
        thread.setContextClassLoader(loader);
        try
        {
            final Method main = Class.forName(className, true, loader).getMethod("main", String[].class);
            main.invoke(null, (Object)args);
        }
        catch (final InvocationTargetException ex)
        {
            // The program's own exception or error, as if main had been called directly.
            if (ex.getCause() instanceof Error)
            {
                throw (Error)ex.getCause();
            }
            throw ex.getCause() instanceof Exception ? (Exception)ex.getCause() : ex;
        }
        finally
        {
            thread.setContextClassLoader(previous);
        }
    }
}
