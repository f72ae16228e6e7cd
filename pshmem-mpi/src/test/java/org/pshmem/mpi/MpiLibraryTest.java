package org.pshmem.mpi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

/**
 * What needs no MPI job: loading, symbols, and the small types. MPI is loaded here but never initialised.
 */
class MpiLibraryTest
{
    @Test
    void aMissingLibraryIsNamedWithTheSettings()
    {
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> MpiLibrary.open("libmpi-not-here.so.99"));
        assertTrue(e.getMessage().startsWith("cannot load the MPI library 'libmpi-not-here.so.99' (given; set "
            + "pshmem.mpiLibrary or PSHMEM_MPI_LIBRARY to its name or path): "), e.getMessage());
    }

    @Test
    void theSettingNamesTheLibrary() throws Exception
    {
        // A rank's JVM (no mpirun needed: loading fails before MPI starts) told to load a library that is absent.
        final MpiRun.Result result = MpiRun.run(MpiRun.java(MpiJobMain.class,
            List.of("-Dpshmem.mpiLibrary=libmpi-from-setting.so.7"), "1"), 60, "setting");
        assertNotEquals(0, result.exitCode(), result.output());
        assertTrue(result.output().contains("cannot load the MPI library 'libmpi-from-setting.so.7' (set by "
            + "pshmem.mpiLibrary or PSHMEM_MPI_LIBRARY; set pshmem.mpiLibrary or PSHMEM_MPI_LIBRARY to its name or "
            + "path): "), result.output());
    }

    @Test
    void aLibraryWithoutOpenMpiSymbolsIsRefused()
    {
        // The C library loads but is not MPI: the first missing function is named.
        final IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> MpiLibrary.open("libc.so.6"));
        assertEquals("the MPI library 'libc.so.6' has no symbol MPI_Init_thread: pshmem's native MPI transport "
            + "needs Open MPI 4 or 5", e.getMessage());
    }

    @Test
    void theDefaultLibraryBindsEverySymbol()
    {
        final MpiLibrary mpi = MpiLibrary.open("libmpi.so.40");
        assertEquals("libmpi.so.40", mpi.name());
        final Set<Long> handles = new HashSet<>();
        for (final MpiDatatype type : MpiDatatype.values())
        {
            assertTrue(handles.add(mpi.handle(type).address()), "distinct handle of " + type);
        }
        assertNotEquals(mpi.world().handle().address(), mpi.self().handle().address());
        assertTrue(mpi.world().predefined());
        assertThrows(IllegalArgumentException.class, () -> mpi.free(mpi.world()));
    }

    @Test
    void theLibraryVersionIsOmpiInfos() throws Exception
    {
        // Open MPI's own tool, from the same installation, says which version it is.
        final MpiRun.Result info = MpiRun.run(List.of("ompi_info", "--version"), 60, "ompi_info");
        assertEquals(0, info.exitCode(), info.output());
        final String version = info.output().strip().lines().findFirst().orElseThrow(); // e.g. Open MPI v4.1.4
        assertTrue(version.startsWith("Open MPI v"), info.output());
        final String ours = MpiLibrary.open("libmpi.so.40").libraryVersion();
        assertTrue(ours.startsWith(version + ","), ours + " against ompi_info's " + version);
    }

    @Test
    void datatypesOfArrays()
    {
        assertEquals(MpiDatatype.BYTE, MpiDatatype.of(new byte[0]));
        assertEquals(MpiDatatype.SHORT, MpiDatatype.of(new short[0]));
        assertEquals(MpiDatatype.INT, MpiDatatype.of(new int[0]));
        assertEquals(MpiDatatype.LONG, MpiDatatype.of(new long[0]));
        assertEquals(MpiDatatype.FLOAT, MpiDatatype.of(new float[0]));
        assertEquals(MpiDatatype.DOUBLE, MpiDatatype.of(new double[0]));
        assertThrows(IllegalArgumentException.class, () -> MpiDatatype.of(new char[0]));
        assertEquals(8, MpiDatatype.LONG.bytes());
    }

    @Test
    void threadLevelsRoundTrip()
    {
        for (final ThreadLevel level : ThreadLevel.values())
        {
            assertEquals(level, ThreadLevel.of(level.code()));
        }
        assertThrows(IllegalArgumentException.class, () -> ThreadLevel.of(17));
    }

    @Test
    void exceptionsNameFunctionCodeAndText()
    {
        final MpiException e = new MpiException("MPI_Bcast", 6, "MPI_ERR_RANK: invalid rank");
        assertEquals("MPI_Bcast failed with error 6: MPI_ERR_RANK: invalid rank", e.getMessage());
        assertEquals("MPI_Bcast", e.function());
        assertEquals(6, e.errorCode());
    }
}
