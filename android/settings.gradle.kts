// Standalone Gradle build of the Android library (run from android/:
// `gradle assembleRelease`, or `./gradlew` once a wrapper is added).
// In an app's multi-project build, `include(":mikey-sakke")` with
// `project(":mikey-sakke").projectDir = file("<repo>/android")` instead.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "mikey-sakke-android"
