package org.pshmem.spi;

import java.util.Optional;

/**
 * Every setting pshmem reads, in one place: its system property, its environment variable, its default and
 * what it does. A setting is read from the system property, else from the environment variable, else it
 * takes its default; a blank value counts as unset. The README's settings table lists the same rows
 * ({@code SettingsTableTest} keeps the two in step). {@link #LISTEN_ADDRESS} is also read by the MPJ
 * transport's {@code ListenAddress} on its own, as MPJ's daemon and starter load that class without this
 * module; a test keeps its names equal to these.
 */
public enum Setting
{
    /** The transport, when no launcher decides ({@code local}, {@code mpj} or {@code mpi}). */
    TRANSPORT("pshmem.transport", "PSHMEM_TRANSPORT", null, "the transport, when no launcher decides"),
    /** Node name of every rank, or a comma-separated list by world rank (mpj, mpi). */
    NODE("pshmem.node", "PSHMEM_NODE", null,
        "node name of every rank, or a comma-separated list by world rank (mpj, mpi)"),
    /** Folder of the segment files (mpj, mpi). */
    SHM_DIR("pshmem.shmDir", "PSHMEM_SHM_DIR", "/dev/shm", "folder of segment files (mpj, mpi)"),
    /** Arrays of at most this many bytes are carved from their communicator's node arena; 0: none. */
    SMALL_ARRAY_BYTES("pshmem.smallArrayBytes", "PSHMEM_SMALL_ARRAY_BYTES", Integer.toString(1 << 20),
        "arrays of at most this many bytes share segments, carved from their communicator's node arena; 0: " +
        "every array has a segment of its own"),
    /** Largest message when {@code set()} replicates between nodes, in bytes. */
    SET_CHUNK_BYTES("pshmem.setChunkBytes", null, Integer.toString(8 << 20),
        "largest message, in bytes, when `set()` replicates between nodes"),
    /** The one address MPJ Express listens on; loopback for a job on one host (mpj). */
    LISTEN_ADDRESS("pshmem.listenAddress", "PSHMEM_LISTEN_ADDRESS", null,
        "the one address MPJ Express listens on (daemon, starter, niodev), default the address the host name " +
        "resolves to; loopback for a job on one host (mpj)"),
    /** How long a failed rank waits at most, for the others to end, before ending its JVM, in milliseconds (mpj). */
    ABORT_GRACE_MS("pshmem.abortGraceMs", null, "1000",
        "how long a failed rank waits at most, in ms, for the others to end before ending its JVM (mpj)"),
    /** Milliseconds between a waiting rank's looks at the job folder for failed ranks (mpj). */
    FAILURE_CHECK_MS("pshmem.failureCheckMs", null, "200",
        "ms between a waiting rank's looks at the job folder for failed ranks (mpj)"),
    /** Seconds a rank may wait in one collective before the launcher prints where every rank is; 0: never. */
    HANG_REPORT_SECONDS("pshmem.hangReportSeconds", "PSHMEM_HANG_REPORT_SECONDS", "60",
        "seconds a rank may wait in one collective before the launcher prints where every rank is; 0: never"),
    /** Whether a failed job's summary shows every failed rank's stack trace, not only the first. */
    ALL_TRACES("pshmem.allTraces", "PSHMEM_ALL_TRACES", "false",
        "`true`: a failed job's summary shows every rank's stack trace, not only the first failure's"),
    /** Spins of a wait before it yields. */
    BACKOFF_SPINS("pshmem.backoff.spins", null, "10", "spins of a wait before it yields"),
    /** Yields of a wait before it parks. */
    BACKOFF_YIELDS("pshmem.backoff.yields", null, "5000", "yields of a wait before it parks"),
    /** A wait's first park, in microseconds; each doubles. */
    BACKOFF_MIN_PARK_MICROS("pshmem.backoff.minParkMicros", null, "1",
        "a wait's first park, in µs; each park doubles"),
    /** A wait's longest park, in microseconds. */
    BACKOFF_MAX_PARK_MICROS("pshmem.backoff.maxParkMicros", null, "1000", "a wait's longest park, in µs"),
    /** The job folder; set by pshmem's launcher for its ranks (mpj). */
    JOB_DIR("pshmem.jobDir", null, null, "the job folder; set by pshmem's launcher for its ranks (mpj)"),
    /** The launcher's process id; set by pshmem's launcher for its ranks (mpj). */
    LAUNCHER_PID("pshmem.launcherPid", null, null,
        "the launcher's process id; set by pshmem's launcher for its ranks (mpj)"),
    /** Where pshmem keeps its private MPJ Express home (mpj). */
    CACHE_DIR(null, "PSHMEM_CACHE_DIR", "~/.cache/pshmem",
        "where pshmem keeps its private MPJ Express home (`mpj-home`) (mpj)"),
    /** Tests only: windows of {@code 1 << shift} bytes (3 to 30), so small arrays cross them. */
    TEST_WINDOW_SHIFT("pshmem.test.windowShift", null, "30",
        "tests only: windows of 2^shift bytes (3 to 30), so that small arrays cross them"),
    /** JVM options, separated by spaces, that the launcher adds for every rank (mpj). */
    JAVA_OPTS(null, "PSHMEM_JAVA_OPTS", null,
        "JVM options, separated by spaces, that the launcher adds for every rank (mpj)"),
    /** An MPJ Express installation to use instead of the one found on the machine (mpj). */
    MPJ_HOME(null, "MPJ_HOME", null,
        "an MPJ Express installation to use instead of the one found on the machine (mpj)"),
    /** The MPI library the native MPI transport loads: a name for the dynamic loader or a path (mpi). */
    MPI_LIBRARY("pshmem.mpiLibrary", "PSHMEM_MPI_LIBRARY", "libmpi.so.40",
        "the MPI library the native MPI transport loads: a name for the dynamic loader, or a path (mpi)");

    private final String property;
    private final String environmentVariable;
    private final String defaultValue;
    private final String description;

    Setting(final String property, final String environmentVariable, final String defaultValue,
        final String description)
    {
        this.property = property;
        this.environmentVariable = environmentVariable;
        this.defaultValue = defaultValue;
        this.description = description;
    }

    /**
     * Returns the system property that sets it, if any.
     *
     * @return the system property that sets it, if any.
     */
    public Optional<String> property()
    {
        return Optional.ofNullable(property);
    }

    /**
     * Returns the environment variable that sets it, if any.
     *
     * @return the environment variable that sets it, if any.
     */
    public Optional<String> environmentVariable()
    {
        return Optional.ofNullable(environmentVariable);
    }

    /**
     * Returns the value when nothing sets it, if it has one.
     *
     * @return the value when nothing sets it, if it has one.
     */
    public Optional<String> defaultValue()
    {
        return Optional.ofNullable(defaultValue);
    }

    /**
     * Returns what it does, as the README's table says.
     *
     * @return what it does, as the README's table says.
     */
    public String description()
    {
        return description;
    }

    /**
     * The value set by the system property, else by the environment variable, trimmed; blank counts as unset.
     *
     * @return the value set, without the default.
     */
    public Optional<String> explicitValue()
    {
        if (null != property)
        {
            final String value = System.getProperty(property);
            if (null != value && !value.isBlank())
            {
                return Optional.of(value.trim());
            }
        }
        if (null != environmentVariable)
        {
            final String value = System.getenv(environmentVariable);
            if (null != value && !value.isBlank())
            {
                return Optional.of(value.trim());
            }
        }
        return Optional.empty();
    }

    /**
     * Returns the value set, else the default, if either.
     *
     * @return the value set, else the default, if either.
     */
    public Optional<String> value()
    {
        return explicitValue().or(this::defaultValue);
    }

    /**
     * Returns the value as a long.
     *
     * @return the value as a long.
     * @throws IllegalStateException when it has no value or the value is not a whole number.
     */
    public long longValue()
    {
        final String value = value().orElseThrow(() -> new IllegalStateException(this + " has no value"));
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalStateException("setting " + sources() + " is '" + value + "', not a whole number", ex);
        }
    }

    /**
     * Returns the value as an int.
     *
     * @return the value as an int.
     * @throws IllegalStateException when it has no value, or the value is not a whole number or too large.
     */
    public int intValue()
    {
        final long value = longValue();
        if (value != (int)value)
        {
            throw new IllegalStateException("setting " + sources() + " is " + value + ", more than an int holds");
        }
        return (int)value;
    }

    /**
     * Returns where it is set from, as a message names it: the property, the variable or both.
     *
     * @return where it is set from, as a message names it: the property, the variable or both.
     */
    public String sources()
    {
        if (null == property)
        {
            return environmentVariable;
        }
        return null == environmentVariable ? property : property + " or " + environmentVariable;
    }
}
