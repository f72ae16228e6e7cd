package org.pshmem.local;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;

/**
 * Command-line launcher of an in-process job: {@code LocalLauncher -np N [--nodes K] MainClass [args...]}
 * runs the class's {@code main} on N threads of this JVM, each a rank, dealt to K simulated nodes (default 1).
 * Each rank loads the program's classes itself, so their static fields are per rank, as under MPJ Express.
 * Exit status: 0 when every rank succeeded,
 * 1 when a rank failed (reported on standard error with its rank), 2 for bad usage.
 */
public final class LocalLauncher
{
    private LocalLauncher()
    {
    }

    /**
     * @param args {@code -np N [--nodes K] MainClass [args...]}.
     */
    public static void main(final String[] args)
    {
        System.exit(launch(args));
    }

    static int launch(final String[] args)
    {
        int ranks = 1;
        int nodes = 1;
        int i = 0;
        while (i < args.length && args[i].startsWith("-"))
        {
            if ((args[i].equals("-np") || args[i].equals("--nodes")) && i + 1 < args.length)
            {
                final int value;
                try
                {
                    value = Integer.parseInt(args[i + 1]);
                }
                catch (final NumberFormatException ex)
                {
                    return usage(args[i] + " needs a whole number, not '" + args[i + 1] + "'");
                }
                if (args[i].equals("-np"))
                {
                    ranks = value;
                }
                else
                {
                    nodes = value;
                }
                i += 2;
            }
            else if (args[i].equals("--"))
            {
                i++;
                break;
            }
            else
            {
                return usage("unknown option '" + args[i] + "'");
            }
        }
        if (i >= args.length)
        {
            return usage("no main class given");
        }
        if (ranks < 1)
        {
            return usage("-np must be at least 1, not " + ranks);
        }
        if (nodes < 1 || nodes > ranks)
        {
            return usage("--nodes must be from 1 to the number of ranks (" + ranks + "), not " + nodes);
        }
        final Method main;
        try
        {
            // Only checked here, not initialised: each rank loads and initialises the class itself.
            main = Class.forName(args[i], false, LocalLauncher.class.getClassLoader())
                .getMethod("main", String[].class);
            if (!Modifier.isStatic(main.getModifiers()))
            {
                return usage(args[i] + ".main is not static");
            }
        }
        catch (final ClassNotFoundException | NoSuchMethodException ex)
        {
            return usage("cannot find public static void main(String[]) in '" + args[i] + "' on the class path");
        }
        final String[] programArgs = Arrays.copyOfRange(args, i + 1, args.length);
        try
        {
            LocalJob.runMain(ranks, nodes, programArgs,
                new RankMainClass(args[i], LocalLauncher.class.getClassLoader()));
            return 0;
        }
        catch (final RuntimeException ex)
        {
            System.err.println("pshmem: " + ex.getMessage());
            if (null != ex.getCause())
            {
                ex.getCause().printStackTrace();
            }
            return 1;
        }
    }

    private static int usage(final String problem)
    {
        System.err.println("pshmem local launcher: " + problem);
        System.err.println("usage: java -cp <class path> " + LocalLauncher.class.getName() +
            " -np N [--nodes K] MainClass [args...]");
        return 2;
    }
}
