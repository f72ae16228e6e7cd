package org.pshmem.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.pshmem.api.Pshmem;

/**
 * What a rank loads itself and what it shares: a program's classes (here JUnit's, which are no part of pshmem)
 * once per rank, with their class-path entry as code source; pshmem's classes and the JDK's once for the job.
 */
class RankClassLoaderTest
{
    private static final String PROGRAM_CLASS = "org.junit.jupiter.api.Assertions";

    private final ClassLoader parent = RankClassLoaderTest.class.getClassLoader();

    @Test
    void eachRankHasItsOwnCopyOfAProgramsClasses() throws Exception
    {
        final Class<?> rank0 = new RankClassLoader(0, parent).loadClass(PROGRAM_CLASS);
        final Class<?> rank1 = new RankClassLoader(1, parent).loadClass(PROGRAM_CLASS);
        assertNotSame(rank0, rank1);
        assertNotSame(Class.forName(PROGRAM_CLASS), rank0);
        assertEquals("pshmem-rank-0", rank0.getClassLoader().getName());
        assertEquals(PROGRAM_CLASS, rank0.getName());
        assertEquals(rank0.getPackageName(), rank0.getPackage().getName());
        assertTrue(rank0.getProtectionDomain().getCodeSource().getLocation().toString().endsWith(".jar"),
            "the code source is the jar the class came from: " + rank0.getProtectionDomain().getCodeSource());
    }

    @Test
    void pshmemAndTheJdkAreShared() throws Exception
    {
        final RankClassLoader loader = new RankClassLoader(0, parent);
        assertSame(Pshmem.class, loader.loadClass(Pshmem.class.getName()));
        assertSame(LocalJob.class, loader.loadClass(LocalJob.class.getName()));
        assertSame(String.class, loader.loadClass("java.lang.String"));
        assertSame(java.sql.Date.class, loader.loadClass("java.sql.Date"), "a class of a platform module");
        assertTrue(RankClassLoader.isShared("com.kenai.jffi.MemoryIO"), "a dependency of the transports");
        assertTrue(!RankClassLoader.isShared("org.pshmem.tests.ConformanceJob"), "pshmem's tests are programs");
    }
}
