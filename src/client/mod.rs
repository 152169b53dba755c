//! The async client layer for Azure DevOps, Microsoft Graph and Entra sign-in.
