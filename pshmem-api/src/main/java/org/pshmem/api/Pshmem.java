package org.pshmem.api;

import java.util.List;
import java.util.stream.Collectors;

import org.pshmem.spi.NodeMemory;
import org.pshmem.spi.Setting;
import org.pshmem.spi.Transport;
import org.pshmem.spi.TransportSession;

/**
 * Entry point: initialises this rank's runtime from {@code main}'s arguments and gives the world
 * {@link Communicator}. Closing it finalises the rank.
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     try (Pshmem pshmem = Pshmem.init(args)) {
 *         Communicator world = pshmem.world();
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>The transport is chosen in this order: the transport whose launcher started this rank; else the one
 * named by the system property {@value #TRANSPORT_PROPERTY} or the environment variable
 * {@value #TRANSPORT_ENV}; else, of the transports on the class path that can run without a launcher, the
 * one of highest priority. Asking for a transport that is not present is an error that lists the ones that
 * are, and so is a process that an MPI launcher started among several when no transport on the class path runs
 * under it (it would otherwise run as a job of one rank, unnoticed).
 *
 * <p>{@code init} and {@code close} are called once by every rank (with MPJ Express they are MPI's
 * {@code Init} and {@code Finalize}); the accessors are local.
 */
public final class Pshmem implements AutoCloseable
{
    /** System property that names the transport to use. */
    public static final String TRANSPORT_PROPERTY = "pshmem.transport";
    /** Environment variable that names the transport to use, when the property is not set. */
    public static final String TRANSPORT_ENV = "PSHMEM_TRANSPORT";

    private final String transportName;
    private final TransportSession session;
    private final Communicator world;
    private final Communicator self;
    private boolean closed;

    private Pshmem(final String transportName, final TransportSession session)
    {
        this.transportName = transportName;
        this.session = session;
        this.world = new Communicator(session.world(), this, false);
        this.self = new Communicator(session.self(), this, false);
    }

    /**
     * Initialises this rank: one session per rank at a time.
     *
     * @param args the arguments {@code main} received; launchers may have added their own.
     * @return the runtime, to be closed when the rank is done.
     * @throws PshmemException       when the chosen transport is absent or fails to start.
     * @throws IllegalStateException when this rank already has a session open (close it first, or pass its
     *                               {@link #world()} on).
     */
    public static Pshmem init(final String[] args)
    {
        final String[] safeArgs = null == args ? new String[0] : args.clone();
        final FoundTransports found = FoundTransports.find();
        final List<Transport> present = found.usable();
        for (final Transport candidate : present)
        {
            final java.util.OptionalInt open = candidate.rankWithOpenSession();
            if (open.isPresent())
            {
                throw org.pshmem.spi.TransportSession.alreadyOpen(open.getAsInt());
            }
        }
        final Transport transport = choose(found, safeArgs, System.getenv());
        return new Pshmem(transport.name(), transport.open(safeArgs));
    }

    /**
     * Returns the names of the transports on the class path, highest priority first.
     *
     * @return names of the transports on the class path, highest priority first.
     */
    public static List<String> availableTransports()
    {
        return FoundTransports.find().usable().stream().map(Transport::name).collect(Collectors.toList());
    }

    private static Transport choose(final FoundTransports found, final String[] args,
        final java.util.Map<String, String> environment)
    {
        final List<Transport> present = found.usable();
        for (final Transport transport : present)
        {
            if (transport.launchedThisRank(args))
            {
                return transport;
            }
        }
        final String wanted = Setting.TRANSPORT.explicitValue().orElse(null);
        if (null != wanted)
        {
            final String name = wanted;
            for (final Transport transport : present)
            {
                if (!transport.name().equals(name))
                {
                    continue;
                }
                if (!transport.runsWithoutLauncher())
                {
                    throw new PshmemException("transport '" + name + "' (from " + TRANSPORT_PROPERTY + " or " +
                        TRANSPORT_ENV + ") needs its launcher, and this JVM was not started by it: use ./pshmem run " +
                        "or the transport's own launcher, or a transport that runs in a plain JVM: " +
                        names(present.stream().filter(Transport::runsWithoutLauncher).collect(Collectors.toList())));
                }
                return transport;
            }
            throw new PshmemException("transport '" + name + "' (from " + TRANSPORT_PROPERTY + " or " +
                TRANSPORT_ENV + ") is not on the class path; present: " + names(present) + found.refusedText());
        }
        final java.util.OptionalInt mpiRanks = FoundTransports.mpiLaunchSize(environment);
        if (mpiRanks.isPresent() && mpiRanks.getAsInt() > 1)
        {
            // Else each of the launcher's processes would run alone, as a job of one rank, and say nothing.
            throw new PshmemException("this process is one of " + mpiRanks.getAsInt() + " that an MPI launcher " +
                "started (" + String.join(" or ", FoundTransports.MPI_SIZE_VARIABLES) + "), but no transport on the " +
                "class path runs under it (present: " + names(present) + found.refusedText() + "): put pshmem-mpi " +
                "on the class path (./pshmem classpath --transport mpi) and run Java 22 or later, or set " +
                TRANSPORT_PROPERTY + "=local to run every process as a job of its own");
        }
        for (final Transport transport : present)
        {
            if (transport.runsWithoutLauncher())
            {
                return transport;
            }
        }
        throw new PshmemException("no pshmem transport on the class path can run without its launcher " +
            "(present: " + names(present) + "); add pshmem-local, or start this program with its launcher");
    }

    private static String names(final List<Transport> present)
    {
        return present.isEmpty() ? "none" :
            present.stream().map(Transport::name).collect(Collectors.joining(", "));
    }

    /**
     * Returns the communicator of all ranks of the job.
     *
     * @return the communicator of all ranks of the job.
     */
    public Communicator world()
    {
        checkOpen();
        return world;
    }

    /**
     * Returns a communicator holding this rank alone, like MPI's {@code COMM_SELF}.
     *
     * @return a communicator holding this rank alone, like MPI's {@code COMM_SELF}.
     */
    public Communicator self()
    {
        checkOpen();
        return self;
    }

    /**
     * Returns the application's arguments, without those a launcher added.
     *
     * @return the application's arguments, without those a launcher added.
     */
    public String[] args()
    {
        return session.applicationArgs().clone();
    }

    /**
     * Returns the name of the transport in use.
     *
     * @return name of the transport in use.
     */
    public String transportName()
    {
        return transportName;
    }

    NodeMemory nodeMemory()
    {
        checkOpen();
        return session.nodeMemory();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("pshmem runtime of this rank is closed");
        }
    }

    /**
     * Finalises this rank; idempotent.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            world.releaseNodeGroups();
            self.releaseNodeGroups();
            session.close();
        }
    }
}
