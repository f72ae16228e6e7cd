package org.pshmem.api;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.pshmem.spi.Transport;

/**
 * The transports {@link java.util.ServiceLoader} finds, highest priority first, and those on the class path that
 * could not be loaded, each with why (such as a transport built for a newer Java): so that a choice that fails
 * can say what was there.
 *
 * @param usable  the transports loaded, highest priority first.
 * @param refused one sentence per provider that could not be loaded.
 */
record FoundTransports(List<Transport> usable, List<String> refused)
{
    /**
     * The environment variables by which MPI launchers tell a process how many processes they started: Open MPI's
     * {@code mpirun}, and PMI (MPICH's {@code mpiexec}, Slurm's {@code srun}).
     */
    static final List<String> MPI_SIZE_VARIABLES = List.of("OMPI_COMM_WORLD_SIZE", "PMI_SIZE");

    private static final int MAX_REFUSED = 16;
    private static final Pattern CLASS_VERSION = Pattern.compile("class file version (\\d+)");

    /** @return what the API's class loader finds. */
    static FoundTransports find()
    {
        final List<Transport> usable = new ArrayList<>();
        final List<String> refused = new ArrayList<>();
        // The API's own class loader: launchers that give each rank its own loader (MPJ multicore) still work.
        final Iterator<Transport> providers = ServiceLoader.load(Transport.class, Pshmem.class.getClassLoader())
            .iterator();
        // A provider that fails to load throws from the iterator, which then goes on to the next (bounded, in case
        // it does not).
        while (refused.size() < MAX_REFUSED)
        {
            try
            {
                if (!providers.hasNext())
                {
                    break;
                }
                usable.add(providers.next());
            }
            catch (final ServiceConfigurationError | LinkageError ex)
            {
                refused.add(why(ex));
            }
        }
        usable.sort(Comparator.comparingInt(Transport::priority).reversed());
        return new FoundTransports(List.copyOf(usable), List.copyOf(refused));
    }

    /** @return a sentence on a provider that could not be loaded. */
    static String why(final Throwable failure)
    {
        for (Throwable cause = failure; null != cause; cause = cause.getCause())
        {
            if (cause instanceof UnsupportedClassVersionError)
            {
                final Matcher version = CLASS_VERSION.matcher(String.valueOf(cause.getMessage()));
                final String name = String.valueOf(cause.getMessage()).split(" ", 2)[0].replace('/', '.');
                return version.find() ? name + " needs Java " + (Integer.parseInt(version.group(1)) - 44) +
                    " or later (this is Java " + Runtime.version().feature() + ")" : String.valueOf(cause.getMessage());
            }
        }
        return String.valueOf(failure.getMessage());
    }

    /**
     * @param environment the process's environment.
     * @return how many processes an MPI launcher started with this one, when one did.
     */
    static OptionalInt mpiLaunchSize(final Map<String, String> environment)
    {
        for (final String variable : MPI_SIZE_VARIABLES)
        {
            final String value = environment.get(variable);
            if (null != value)
            {
                try
                {
                    return OptionalInt.of(Integer.parseInt(value.trim()));
                }
                catch (final NumberFormatException ignored)
                {
                    // not a launcher's
                }
            }
        }
        return OptionalInt.empty();
    }

    /** @return "; not loaded: ..." for the refused providers, or nothing. */
    String refusedText()
    {
        return refused.isEmpty() ? "" : "; not loaded: " + String.join("; ", refused);
    }
}
